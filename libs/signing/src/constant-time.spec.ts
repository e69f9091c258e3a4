import { constantTimeEqual, constantTimeEqualsAny } from './constant-time';

describe('constant-time comparison', () => {
  it('is true only for equal contents', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('answers false, without throwing, when the lengths differ', () => {
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abc', '')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it('compares a view of a larger buffer by its own bytes only', () => {
    const backing = Buffer.from('xxabcxx');
    expect(constantTimeEqual(backing.subarray(2, 5), 'abc')).toBe(true);
  });

  it('matches any of several candidates', () => {
    expect(constantTimeEqualsAny(['old', 'new'], 'new')).toBe(true);
    expect(constantTimeEqualsAny(['old', 'new'], 'other')).toBe(false);
    expect(constantTimeEqualsAny([], 'anything')).toBe(false);
  });
});
