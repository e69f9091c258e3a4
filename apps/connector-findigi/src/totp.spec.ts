import { totpCode } from './totp';

describe('totpCode', () => {
  // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (base32 below), truncated to 6 digits.
  const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it.each([
    [59, '287082'],
    [1_111_111_109, '081804'],
    [1_234_567_890, '005924'],
    [2_000_000_000, '279037'],
  ])('at %i s gives %s', (seconds, code) => {
    expect(totpCode(RFC_SECRET, new Date(seconds * 1000))).toBe(code);
  });

  it('refuses a secret that is not base32', () => {
    expect(() => totpCode('not-base32!', new Date(0))).toThrow('base32');
  });
});
