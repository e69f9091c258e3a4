import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns as soon as the assertion passes', async () => {
    let calls = 0;
    const value = await expectEventually(() => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return 'done';
    }, { intervalMs: 5 });
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows the last failure once the deadline passes', async () => {
    await expect(
      expectEventually(() => {
        throw new Error('the row is missing');
      }, { timeoutMs: 50, intervalMs: 10 }),
    ).rejects.toThrow(/still failing after 50 ms: the row is missing/);
  });
});
