import type { Sandbox } from '../sandbox';
import { loginAs, TEST_HEADER, type FindigiSession } from '../testing/findigi-session';
import { advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

describe('FinDIGI FinVault transactions and FX tickers', () => {
  let sandbox: Sandbox;
  let alpha: FindigiSession;

  beforeEach(async () => {
    sandbox = await createTestSandbox();
    alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  });

  afterEach(async () => {
    await sandbox.close();
  });

  it('lists FinVault wallets, balances matching the ground truth, and transactions by page', async () => {
    const wallets = json<{ wallets: Array<{ id: string; network: string }> }>(
      await sandbox.app.inject({ method: 'GET', url: '/findigi/api/finvault/wallets', headers: alpha.headers }),
    ).wallets;
    expect(wallets).toEqual([expect.objectContaining({ network: 'polygon-amoy' })]);
    const walletId = wallets[0]?.id ?? '';
    const wallet = json(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/finvault/wallets/${walletId}`, headers: alpha.headers }));
    expect(wallet).toEqual({ ok: true, wallet: expect.objectContaining({ id: walletId, custody_type: 'custodial', address: expect.stringMatching(/^0x[0-9a-f]{40}$/) }) });
    const balances = json<{ balances: Array<{ symbol: string; balance: string }> }>(
      await sandbox.app.inject({ method: 'GET', url: `/findigi/api/finvault/wallets/${walletId}/balances`, headers: alpha.headers }),
    ).balances;
    for (const balance of balances) {
      const truth = sandbox.groundTruth('findigi', { accountId: `${walletId}:${balance.symbol}`, includeTransactions: false })[0];
      expect(truth?.balance.amount).toBe(balance.balance.replace('.', '').replace(/^0+(?=\d)/, ''));
    }
    const first = json<{ transactions: Array<{ id: string; amount: string; status: string }>; next_cursor: string | null }>(
      await sandbox.app.inject({ method: 'GET', url: `/findigi/api/finvault/transactions?wallet_id=${walletId}&limit=2`, headers: alpha.headers }),
    );
    expect(first.transactions).toHaveLength(2);
    expect(first.transactions[0]?.amount).toMatch(/^\d+\.\d{6}$/);
    const one = await sandbox.app.inject({ method: 'GET', url: `/findigi/api/finvault/transactions/${first.transactions[0]?.id ?? ''}`, headers: alpha.headers });
    expect(json(one)).toMatchObject({ ok: true, transaction: { id: first.transactions[0]?.id, status: 'confirmed' } });
    const missing = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/finvault/transactions/nope', headers: alpha.headers });
    expect(missing.statusCode).toBe(404);
  });

  it('serves the documented ticker shape with ten-decimal rates, freshness and trend', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fx/tickers?pairs=USD/IDR,USD/SGD&min_fresh_seconds=15&change_window_hours=12', headers: TEST_HEADER });
    expect(response.statusCode).toBe(200);
    const body = json<{ ok: boolean; change_window_hours: number; items: Array<Record<string, unknown>> }>(response);
    expect(body.change_window_hours).toBe(12);
    expect(body.items.map((item) => item.pair)).toEqual(['USD/IDR', 'USD/SGD']);
    expect(Object.keys(body.items[0] ?? {})).toEqual([
      'pair',
      'rate',
      'previous_rate',
      'change_value',
      'change_pct',
      'trend_direction',
      'baseline_quoted_at',
      'comparison_available',
      'age_seconds',
      'is_expired',
      'is_fresh',
    ]);
    expect(body.items[0]).toMatchObject({ rate: expect.stringMatching(/^\d+\.\d{10}$/), comparison_available: true, age_seconds: 0, is_fresh: true });

    await advanceClock(sandbox, 60_000);
    const later = json<{ items: Array<{ rate: string }> }>(await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fx/tickers?pairs=USD/IDR', headers: TEST_HEADER }));
    expect(later.items[0]?.rate).toMatch(/^\d+\.\d{10}$/);
  });

  it('quotes a pair and refuses unknown pairs and missing test mode', async () => {
    const quote = json(await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fx/quote?base=USD&quote=IDR&ttl=15', headers: TEST_HEADER }));
    expect(quote).toMatchObject({ ok: true, pair: 'USD/IDR', ttl: 15, quoted_at: '2025-03-03T09:00:00.000Z', expires_at: '2025-03-03T09:00:15.000Z' });
    const unknown = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fx/tickers?pairs=ABC/DEF', headers: TEST_HEADER });
    expect(unknown.statusCode).toBe(400);
    const noTest = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fx/tickers' });
    expect(json(noTest)).toMatchObject({ error: 'TEST_MODE_REQUIRED' });
  });
});
