import type { Sandbox } from '../sandbox';
import { loginAs, walletsOf, type FindigiSession, type WalletBody } from '../testing/findigi-session';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

interface PayoutBody {
  id: string;
  type: string;
  status: string;
  amount: string;
  batch_id: string | null;
  beneficiary_id: string | null;
  approval_id: string | null;
  failure_reason: string | null;
}

interface BatchBody {
  id: string;
  status: string;
  item_count: number;
  total_amount: string;
  approval_id: string | null;
  execution_mode: string;
}

describe('FinDIGI payouts, saved banks and batch transfers', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
  });

  afterEach(async () => {
    await sandbox.close();
  });

  const post = (session: FindigiSession, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    sandbox.app.inject({ method: 'POST', url: `/findigi${url}`, headers: { ...session.headers, ...headers }, payload: payload as Record<string, unknown> });
  const get = (session: FindigiSession, url: string) => sandbox.app.inject({ method: 'GET', url: `/findigi${url}`, headers: session.headers });

  async function idrWallet(session: FindigiSession): Promise<WalletBody> {
    const wallet = (await walletsOf(sandbox, session)).find((candidate) => candidate.currency === 'IDR');
    if (!wallet) throw new Error('no IDR wallet');
    return wallet;
  }

  async function saveBank(session: FindigiSession, accountNumber: string): Promise<string> {
    const saved = await post(session, '/api/settings/banks', { bank_code: 'BCA', account_number: accountNumber, account_name: `Payee ${accountNumber}` });
    expect(saved.statusCode).toBe(201);
    return json<{ bank: { id: string } }>(saved).bank.id;
  }

  const pendingPayouts = (walletId: string) =>
    (sandbox.groundTruth('findigi', { accountId: walletId })[0]?.transactions ?? []).filter((entry) => entry.status === 'pending' && entry.references['reference_type'] === 'payout');

  it('saves bank accounts per workspace and refuses a bank outside every corridor', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const id = await saveBank(alpha, '1234567890');
    const listed = json<{ banks: Array<{ id: string; bank_code: string }> }>(await get(alpha, '/api/settings/banks'));
    expect(listed.banks).toEqual([expect.objectContaining({ id, bank_code: 'BCA', account_number: '1234567890' })]);
    const maker = await loginAs(sandbox, 'maker@findigi.local');
    expect(json<{ banks: unknown[] }>(await get(maker, '/api/settings/banks')).banks).toEqual([]);
    const unknownBank = await post(alpha, '/api/settings/banks', { bank_code: 'NOPE', account_number: '1234567890', account_name: 'X' });
    expect(unknownBank.statusCode).toBe(422);
  });

  it('pays out: held at once, processing, completed on the rail and booked; idempotent per key', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const source = await idrWallet(alpha);
    const payload = { source_wallet_id: source.id, amount: '150000', beneficiary: { bank_code: 'BNI', account_number: '9876543210', account_name: 'Budi' } };
    const created = await post(alpha, '/api/fiat/payout', payload, { 'idempotency-key': 'payout-1' });
    expect(created.statusCode).toBe(201);
    const payout = json<{ payout: PayoutBody }>(created).payout;
    expect(payout).toMatchObject({ type: 'payout', status: 'processing', amount: '150000', batch_id: null });
    expect(pendingPayouts(source.id)).toHaveLength(1);
    const again = await post(alpha, '/api/fiat/payout', payload, { 'idempotency-key': 'payout-1' });
    expect(json<{ payout: PayoutBody }>(again).payout.id).toBe(payout.id);

    await advanceClock(sandbox, 65_000);
    expect(json<{ payout: PayoutBody }>(await get(alpha, `/api/fiat/payout/${payout.id}`)).payout.status).toBe('completed');
    const after = (await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === source.id);
    expect(BigInt(after?.balance ?? '0')).toBe(BigInt(source.balance) - 150000n);
    expect(pendingPayouts(source.id)).toEqual([]);
  });

  it('a payout to an account the bank rejects fails and releases its hold', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const source = await idrWallet(alpha);
    const created = await post(alpha, '/api/fiat/payout', { source_wallet_id: source.id, amount: '1000', beneficiary: { bank_code: 'BCA', account_number: '0000000000', account_name: 'Closed' } });
    const payout = json<{ payout: PayoutBody }>(created).payout;
    await advanceClock(sandbox, 65_000);
    expect(json<{ payout: PayoutBody }>(await get(alpha, `/api/fiat/payout/${payout.id}`)).payout).toMatchObject({ status: 'failed', failure_reason: expect.any(String) });
    const after = (await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === source.id);
    expect(after?.balance).toBe(source.balance);
    expect(after?.available_balance).toBe(source.available_balance);
  });

  it('a company batch waits for one approval, then each item pays out on its own; the webhooks name each item', async () => {
    const maker = await loginAs(sandbox, 'maker@findigi.local');
    const checker = await loginAs(sandbox, 'checker@findigi.local');
    const received: string[] = [];
    await sandbox.app.inject({ method: 'PUT', url: '/_admin/findigi/webhook', headers: ADMIN_HEADERS, payload: { url: 'http://127.0.0.1:9/unreachable' } });
    const source = await idrWallet(maker);
    const good = await saveBank(maker, '1111111111');
    const bad = await saveBank(maker, '0000000000');
    const created = await post(maker, '/api/batch-transfers', { source_wallet_id: source.id, execution_mode: 'immediate', items: [{ beneficiary_id: good, amount: '1000' }, { beneficiary_id: bad, amount: '2000' }] }, { 'idempotency-key': 'batch-1' });
    expect(created.statusCode).toBe(201);
    const { batch_transfer: batch, items } = json<{ batch_transfer: BatchBody; items: PayoutBody[] }>(created);
    expect(batch).toMatchObject({ status: 'awaiting_approval', item_count: 2, total_amount: '3000', execution_mode: 'immediate' });
    expect(items.map((item) => [item.status, item.batch_id, item.approval_id])).toEqual([
      ['awaiting_approval', batch.id, null],
      ['awaiting_approval', batch.id, null],
    ]);
    expect(pendingPayouts(source.id)).toHaveLength(2);

    const refusedByMaker = await post(maker, `/api/approvals/${batch.approval_id ?? ''}/approve`, {});
    expect(refusedByMaker.statusCode).toBe(403);
    const approved = await post(checker, `/api/approvals/${batch.approval_id ?? ''}/approve`, {});
    expect(json<{ resource: BatchBody }>(approved).resource.status).toBe('processing');
    await advanceClock(sandbox, 65_000);
    const finished = json<{ items: PayoutBody[] }>(await get(maker, `/api/batch-transfers/${batch.id}/items`)).items;
    expect(finished.map((item) => item.status)).toEqual(['completed', 'failed']);
    expect(json<{ batch_transfer: BatchBody }>(await get(maker, `/api/batch-transfers/${batch.id}`)).batch_transfer.status).toBe('partially_completed');
    expect(pendingPayouts(source.id)).toEqual([]);
    const after = (await walletsOf(sandbox, maker)).find((wallet) => wallet.id === source.id);
    expect(BigInt(after?.balance ?? '0')).toBe(BigInt(source.balance) - 1000n);

    const events = sandbox.context.callbacks.deliveries('findigi').map((delivery) => JSON.parse(delivery.body) as { event: string; data: { id: string } });
    for (const item of items) received.push(...events.filter((event) => event.data.id === item.id).map((event) => event.event));
    expect(received).toEqual(expect.arrayContaining(['payout.awaiting_approval', 'payout.pending', 'payout.processing', 'payout.completed', 'payout.failed']));
    const listed = json<{ batch_transfers: BatchBody[] }>(await get(maker, '/api/batch-transfers')).batch_transfers;
    expect(listed.map((entry) => entry.id)).toContain(batch.id);
  });

  it('cancelling a scheduled batch releases the holds of the items not yet run; execute-now runs a scheduled one early', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const source = await idrWallet(alpha);
    const bank = await saveBank(alpha, '2222222222');
    const batchOf = async (key: string): Promise<BatchBody> =>
      json<{ batch_transfer: BatchBody }>(
        await post(alpha, '/api/batch-transfers', { source_wallet_id: source.id, execution_mode: 'scheduled', scheduled_at: new Date(sandbox.context.clock.now() + 3_600_000).toISOString(), items: [{ beneficiary_id: bank, amount: '500' }, { beneficiary_id: bank, amount: '700' }] }, { 'idempotency-key': key }),
      ).batch_transfer;

    const cancelled = await batchOf('scheduled-1');
    expect(cancelled.status).toBe('scheduled');
    expect(pendingPayouts(source.id)).toHaveLength(2);
    const cancel = await post(alpha, `/api/batch-transfers/${cancelled.id}/cancel`, {});
    expect(json<{ cancelled_items: number; batch_transfer: BatchBody }>(cancel)).toMatchObject({ cancelled_items: 2, batch_transfer: { status: 'cancelled' } });
    expect(pendingPayouts(source.id)).toEqual([]);
    expect((await post(alpha, `/api/batch-transfers/${cancelled.id}/cancel`, {})).statusCode).toBe(409);
    await advanceClock(sandbox, 3_700_000);
    expect(json<{ items: PayoutBody[] }>(await get(alpha, `/api/batch-transfers/${cancelled.id}/items`)).items.map((item) => item.status)).toEqual(['cancelled', 'cancelled']);

    const early = await batchOf('scheduled-2');
    const run = await post(alpha, `/api/batch-transfers/${early.id}/execute-now`, {});
    expect(json<{ batch_transfer: BatchBody }>(run).batch_transfer.status).toBe('processing');
    expect((await post(alpha, `/api/batch-transfers/${early.id}/cancel`, {})).statusCode).toBe(409);
    await advanceClock(sandbox, 65_000);
    expect(json<{ batch_transfer: BatchBody }>(await get(alpha, `/api/batch-transfers/${early.id}`)).batch_transfer.status).toBe('completed');

    const onTime = await batchOf('scheduled-3');
    await advanceClock(sandbox, 3_600_000);
    expect(json<{ batch_transfer: BatchBody }>(await get(alpha, `/api/batch-transfers/${onTime.id}`)).batch_transfer.status).toBe('processing');
    await advanceClock(sandbox, 65_000);
    expect(json<{ batch_transfer: BatchBody }>(await get(alpha, `/api/batch-transfers/${onTime.id}`)).batch_transfer.status).toBe('completed');
  });

  it('refuses batches it cannot run: unknown beneficiary, no items, more than the wallet holds', async () => {
    const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    const source = await idrWallet(alpha);
    const bank = await saveBank(alpha, '3333333333');
    expect((await post(alpha, '/api/batch-transfers', { source_wallet_id: source.id, items: [{ beneficiary_id: 'nope', amount: '1' }] })).statusCode).toBe(404);
    expect((await post(alpha, '/api/batch-transfers', { source_wallet_id: source.id, items: [] })).statusCode).toBe(400);
    const tooMuch = await post(alpha, '/api/batch-transfers', { source_wallet_id: source.id, items: [{ beneficiary_id: bank, amount: `${BigInt(source.available_balance) + 1n}` }] });
    expect(tooMuch.statusCode).toBe(422);
    expect(json(tooMuch)).toMatchObject({ error: 'INSUFFICIENT_FUNDS' });
  });
});
