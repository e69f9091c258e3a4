import type { Sandbox } from '../sandbox';
import { PROVIDER_IDS } from './providers';
import { ADMIN_HEADERS, createTestSandbox } from '../testing/sandbox-fixture';

/** The same seed and size give the same sandbox, also after the clock has run. */
describe('seeded determinism', () => {
  const snapshot = async (sandbox: Sandbox): Promise<string> => {
    await sandbox.app.inject({ method: 'POST', url: '/_admin/clock/advance', headers: ADMIN_HEADERS, payload: { ms: 3 * 60_000 } });
    return JSON.stringify(PROVIDER_IDS.map((provider) => sandbox.groundTruth(provider)));
  };

  it('builds identical ground truth for the same seed, different for another seed', async () => {
    const first = await createTestSandbox({ seed: 'same' });
    const second = await createTestSandbox({ seed: 'same' });
    const other = await createTestSandbox({ seed: 'other' });
    try {
      const [a, b, c] = await Promise.all([snapshot(first), snapshot(second), snapshot(other)]);
      expect(a).toBe(b);
      expect(a).not.toBe(c);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  it('grows the data with the size', async () => {
    const small = await createTestSandbox({ size: 'small' });
    try {
      const tiny = await createTestSandbox({ size: 'tiny' });
      const count = (sandbox: Sandbox) => sandbox.groundTruth('indx', { includeTransactions: false }).reduce((sum, account) => sum + account.transactionCount, 0);
      expect(count(small)).toBeGreaterThan(count(tiny) * 5);
      await tiny.close();
    } finally {
      await small.close();
    }
  });
});
