import type { Sandbox } from '../sandbox';
import { indx } from '../testing/indx-requests';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

interface Transaction {
  id: string;
  accountId: string;
  type: string;
  status: string;
  amount: string;
  createdAt: string;
}

interface Page {
  data: Transaction[];
  pagination: { limit: number; hasMore: boolean; nextCursor: string | null };
}

describe('INDX accounts, balances, deposit locations, external accounts and transactions', () => {
  let sandbox: Sandbox;
  let accountIds: string[];

  beforeAll(async () => {
    sandbox = await createTestSandbox({ liveActivity: false, size: { accounts: 3, transactionsPerAccount: 30, historyDays: 20 } });
    accountIds = json<{ data: Array<{ id: string }> }>(await indx(sandbox, 'GET', '/v1/accounts')).data.map((account) => account.id);
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('lists the accounts', async () => {
    const accounts = json<{ data: Array<Record<string, unknown>> }>(await indx(sandbox, 'GET', '/v1/accounts')).data;
    expect(accounts.map((account) => account.currency)).toEqual(['USD', 'EUR', 'USDC']);
    expect(accounts[0]).toEqual({ id: expect.stringMatching(/^acc_/), name: 'USD Operating', accountNumber: expect.any(String), currency: 'USD', type: 'operating', status: 'active', provider: 'INDX Bank', createdAt: expect.any(String) });
  });

  it('gives balances equal to the ground truth', async () => {
    for (const accountId of accountIds) {
      const balance = json<{ currentBalance: string; availableBalance: string; currency: string }>(await indx(sandbox, 'GET', `/v1/accounts/${accountId}/balance`));
      const truth = sandbox.groundTruth('indx', { accountId, includeTransactions: false })[0];
      expect(balance.currentBalance.replace('.', '').replace(/^0+(?=\d)/, '')).toBe(truth?.balance.amount);
      expect(balance.availableBalance).toBe(balance.currentBalance);
    }
    expect(json(await indx(sandbox, 'GET', '/v1/accounts/acc_missing/balance'))).toEqual({ error: { code: 'not_found', message: 'Account acc_missing not found.' } });
  });

  it('gives deposit locations per account and the external accounts', async () => {
    const usd = json<{ data: Array<{ type: string; currency: string }> }>(await indx(sandbox, 'GET', `/v1/accounts/${accountIds[0] ?? ''}/deposit-locations`)).data;
    expect(usd.map((location) => location.type)).toEqual(['wire', 'ach']);
    const usdc = json<{ data: Array<{ type: string; address: string }> }>(await indx(sandbox, 'GET', `/v1/accounts/${accountIds[2] ?? ''}/deposit-locations`)).data;
    expect(usdc).toEqual([expect.objectContaining({ type: 'crypto', address: expect.stringMatching(/^0x[0-9a-f]{40}$/) })]);
    const external = json<{ data: Array<{ id: string; accountNumberLast4: string }> }>(await indx(sandbox, 'GET', '/v1/external-accounts')).data;
    expect(external.map((account) => account.id)).toEqual(['ext_1', 'ext_2', 'ext_3']);
  });

  it('pages through one account newest first, and the pages hold exactly the ground-truth transactions', async () => {
    const accountId = accountIds[0] ?? '';
    const seen: Transaction[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page: Page = json<Page>(await indx(sandbox, 'GET', `/v1/transactions?accountId=${accountId}&limit=7${suffix}`));
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data);
      cursor = page.pagination.nextCursor;
    } while (cursor !== null);
    const truth = sandbox.groundTruth('indx', { accountId })[0];
    expect(seen.map((transaction) => transaction.id)).toEqual(truth?.transactions?.map((entry) => entry.id).reverse());
    const sum = seen.reduce((total, transaction) => total + BigInt(transaction.amount.replace('.', '')), 0n);
    expect(sum.toString()).toBe(truth?.balance.amount);
  });

  it('filters by type, status and date range', async () => {
    const byType = json<Page>(await indx(sandbox, 'GET', '/v1/transactions?type=deposit,wire_in&limit=500'));
    expect(byType.data.length).toBeGreaterThan(0);
    expect(byType.data.every((transaction) => transaction.type === 'deposit' || transaction.type === 'wire_in')).toBe(true);
    const completed = json<Page>(await indx(sandbox, 'GET', '/v1/transactions?status=completed&limit=500'));
    expect(completed.data.every((transaction) => transaction.status === 'completed')).toBe(true);
    const window = json<Page>(await indx(sandbox, 'GET', '/v1/transactions?startDate=2025-02-20&endDate=2025-02-25&limit=500'));
    expect(window.data.length).toBeGreaterThan(0);
    for (const transaction of window.data) {
      expect(transaction.createdAt >= '2025-02-20T00:00:00.000Z' && transaction.createdAt <= '2025-02-25T23:59:59.999Z').toBe(true);
    }
  });

  it.each([
    ['type=refund', 'type refund is not one of deposit, withdrawal, wire_in, wire_out, transfer_in, transfer_out, fee, interest.'],
    ['status=done', 'status must be pending, completed or failed.'],
    ['startDate=yesterday', 'startDate and endDate must be ISO 8601 dates or date-times.'],
    ['startDate=2025-03-01&endDate=2025-02-01', 'startDate is after endDate.'],
    ['limit=0', 'limit must be an integer from 1 to 500.'],
    ['cursor=%%%', 'cursor is not one this API returned.'],
  ])('refuses %s', async (query, message) => {
    const response = await indx(sandbox, 'GET', `/v1/transactions?${query}`);
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: { code: 'validation_error', message } });
  });
});
