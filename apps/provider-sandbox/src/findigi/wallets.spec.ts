import type { Sandbox } from '../sandbox';
import { loginAs, walletsOf, type FindigiSession } from '../testing/findigi-session';
import { createTestSandbox, json } from '../testing/sandbox-fixture';

interface HistoryItem {
  id: string;
  direction: 'credit' | 'debit';
  amount: string;
  status: string;
  balance_after: string | null;
}

describe('FinDIGI wallets, balances and history', () => {
  let sandbox: Sandbox;
  let alpha: FindigiSession;

  beforeAll(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
    alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('lists wallets with decimal-string balances matching the ground truth', async () => {
    const wallets = await walletsOf(sandbox, alpha);
    expect(wallets.map((wallet) => wallet.currency)).toEqual(['IDR', 'SGD']);
    for (const wallet of wallets) {
      const truth = sandbox.groundTruth('findigi', { accountId: wallet.id, includeTransactions: false })[0];
      const precision = wallet.currency === 'IDR' ? 0 : 2;
      expect(truth?.balance).toEqual({ amount: wallet.balance.replace('.', ''), asset: `${wallet.currency}/${precision}` });
    }
  });

  it('pages the history newest first, and the balances after each entry add up', async () => {
    const [wallet] = await walletsOf(sandbox, alpha);
    if (!wallet) throw new Error('no wallet');
    const items: HistoryItem[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? 'limit=3' : `limit=3&cursor=${cursor}`;
      const page = json<{ items: HistoryItem[]; next_cursor: string | null }>(
        await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/${wallet.id}/history?${query}`, headers: alpha.headers }),
      );
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    const truth = sandbox.groundTruth('findigi', { accountId: wallet.id })[0];
    expect(items.map((item) => item.id)).toEqual(truth?.transactions?.map((entry) => entry.id).reverse());
    expect(items[0]?.balance_after).toBe(wallet.balance);
    const sum = items.reduce((total, item) => total + (item.direction === 'credit' ? 1n : -1n) * BigInt(item.amount), 0n);
    expect(sum.toString()).toBe(wallet.balance);
  });

  it('shows balances, top-up accounts and a wallet by id; other ids are 404', async () => {
    const [wallet] = await walletsOf(sandbox, alpha);
    const balances = json(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/${wallet?.id ?? ''}/balances`, headers: alpha.headers }));
    expect(balances).toMatchObject({
      ok: true,
      wallet_id: wallet?.id,
      balances: [{ currency: 'IDR', balance: wallet?.balance, available_balance: wallet?.balance, on_hold: '0', pending_in: '0' }],
    });
    const accounts = json(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/${wallet?.id ?? ''}/accounts`, headers: alpha.headers }));
    expect(accounts).toMatchObject({ ok: true, accounts: [{ type: 'virtual_account', bank_code: 'BCA', currency: 'IDR' }] });
    const byId = json(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/${wallet?.id ?? ''}`, headers: alpha.headers }));
    expect(byId).toEqual({ ok: true, wallet: expect.objectContaining({ id: wallet?.id, currency: 'IDR', balance: wallet?.balance, is_primary: true, status: 'active' }) });
    const missing = await sandbox.app.inject({ method: 'GET', url: '/findigi/api/wallets/not-a-wallet', headers: alpha.headers });
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toEqual({ error: 'NOT_FOUND', message: 'Wallet not-a-wallet was not found in this workspace.' });
  });

  it('creates a wallet and makes it primary', async () => {
    const created = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'USD' } });
    expect(created.statusCode).toBe(201);
    const wallet = json<{ wallet: { id: string; balance: string; is_primary: boolean } }>(created).wallet;
    expect(wallet).toMatchObject({ balance: '0.00', is_primary: false });
    const primary = await sandbox.app.inject({ method: 'POST', url: `/findigi/api/wallets/${wallet.id}/make-primary`, headers: alpha.headers, payload: {} });
    expect(json(primary)).toMatchObject({ ok: true, wallet: { id: wallet.id, is_primary: true } });
    const bad = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'XYZ' } });
    expect(json(bad)).toMatchObject({ error: 'VALIDATION_ERROR' });
  });

  it('refuses a bad history query', async () => {
    const [wallet] = await walletsOf(sandbox, alpha);
    const response = await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/${wallet?.id ?? ''}/history?limit=0`, headers: alpha.headers });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toEqual({ error: 'VALIDATION_ERROR', message: 'limit must be an integer from 1 to 200.' });
  });
});
