import type { Sandbox } from '../sandbox';
import { loginAs, walletsOf, type FindigiSession, type WalletBody } from '../testing/findigi-session';
import { advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

interface TransferBody {
  id: string;
  status: string;
  approval_id: string | null;
  instruction_id?: string | null;
  amount: string;
  fee?: string;
}

describe('FinDIGI wallet transfers, transfers to bank and approvals', () => {
  let sandbox: Sandbox;
  let alpha: FindigiSession;

  beforeEach(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
    alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  });

  afterEach(async () => {
    await sandbox.close();
  });

  async function secondIdrWallet(session: FindigiSession): Promise<WalletBody> {
    const created = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: session.headers, payload: { currency: 'IDR' } });
    return json<{ wallet: WalletBody }>(created).wallet;
  }

  async function transfer(session: FindigiSession, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
    return sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets/transfers', headers: { ...session.headers, ...headers }, payload });
  }

  it('moves money between wallets: processing, then completed on the clock, with balances and ground truth moving', async () => {
    const [source] = await walletsOf(sandbox, alpha);
    const destination = await secondIdrWallet(alpha);
    const created = await transfer(alpha, { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '100000', description: 'Internal wallet transfer' });
    expect(created.statusCode).toBe(201);
    const body = json<{ transfer: TransferBody }>(created).transfer;
    expect(body).toMatchObject({ status: 'processing', amount: '100000', approval_id: null });

    const held = (await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === source?.id);
    expect(BigInt(held?.balance ?? '0') - BigInt(held?.available_balance ?? '0')).toBe(100000n);

    await advanceClock(sandbox, 5_000);
    const status = json<{ transfer: TransferBody }>(
      await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/transfers/${body.id}`, headers: alpha.headers }),
    );
    expect(status.transfer.status).toBe('completed');
    const after = await walletsOf(sandbox, alpha);
    expect(after.find((wallet) => wallet.id === destination.id)?.balance).toBe('100000');
    expect(BigInt(after.find((wallet) => wallet.id === source?.id)?.balance ?? '0')).toBe(BigInt(source?.balance ?? '0') - 100000n);
    expect(sandbox.groundTruth('findigi', { accountId: destination.id })[0]?.balance).toEqual({ amount: '100000', asset: 'IDR/0' });
  });

  it('replays a transfer for the same Idempotency-Key and refuses the key with another body', async () => {
    const [source] = await walletsOf(sandbox, alpha);
    const destination = await secondIdrWallet(alpha);
    const payload = { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '5000' };
    const first = await transfer(alpha, payload, { 'idempotency-key': 'key-1' });
    const again = await transfer(alpha, payload, { 'idempotency-key': 'key-1' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(json<{ transfer: TransferBody }>(again).transfer.id).toBe(json<{ transfer: TransferBody }>(first).transfer.id);
    const other = await transfer(alpha, { ...payload, amount: '6000' }, { 'idempotency-key': 'key-1' });
    expect(other.statusCode).toBe(409);
    expect(json(other)).toMatchObject({ error: 'IDEMPOTENCY_KEY_REUSED' });
  });

  describe('in a company workspace (maker-checker)', () => {
    let maker: FindigiSession;
    let checker: FindigiSession;

    beforeEach(async () => {
      maker = await loginAs(sandbox, 'maker@findigi.local');
      checker = await loginAs(sandbox, 'checker@findigi.local');
    });

    it('holds a transfer in awaiting_approval until a checker approves it', async () => {
      const [source] = await walletsOf(sandbox, maker);
      const destination = await secondIdrWallet(maker);
      const created = json<{ transfer: TransferBody }>(await transfer(maker, { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '250000' })).transfer;
      expect(created.status).toBe('awaiting_approval');
      await advanceClock(sandbox, 60_000);

      const pending = json<{ approvals: Array<{ id: string; status: string; resource_id: string }> }>(
        await sandbox.app.inject({ method: 'GET', url: '/findigi/api/approvals?status=pending', headers: checker.headers }),
      );
      expect(pending.approvals).toEqual([expect.objectContaining({ id: created.approval_id, resource_id: created.id, status: 'pending' })]);

      const detail = json(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/approvals/${created.approval_id ?? ''}`, headers: checker.headers }));
      expect(detail).toMatchObject({ ok: true, approval: { id: created.approval_id, resource_type: 'wallet_transfer', status: 'pending' }, resource: { id: created.id, status: 'awaiting_approval' } });

      const byMaker = await sandbox.app.inject({ method: 'POST', url: `/findigi/api/approvals/${created.approval_id ?? ''}/approve`, headers: maker.headers, payload: {} });
      expect(byMaker.statusCode).toBe(403);

      const approved = await sandbox.app.inject({
        method: 'POST',
        url: `/findigi/api/approvals/${created.approval_id ?? ''}/approve`,
        headers: checker.headers,
        payload: { client_id: checker.clientId, note: 'ok' },
      });
      expect(json(approved)).toMatchObject({ ok: true, approval: { status: 'approved', note: 'ok' }, resource: { status: 'processing' } });
      const twice = await sandbox.app.inject({ method: 'POST', url: `/findigi/api/approvals/${created.approval_id ?? ''}/reject`, headers: checker.headers, payload: {} });
      expect(twice.statusCode).toBe(409);

      await advanceClock(sandbox, 5_000);
      const done = json<{ transfer: TransferBody }>(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/transfers/${created.id}`, headers: maker.headers }));
      expect(done.transfer.status).toBe('completed');
    });

    it('releases the held funds when a checker rejects', async () => {
      const [source] = await walletsOf(sandbox, maker);
      const destination = await secondIdrWallet(maker);
      const created = json<{ transfer: TransferBody }>(await transfer(maker, { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '250000' })).transfer;
      const rejected = await sandbox.app.inject({ method: 'POST', url: `/findigi/api/approvals/${created.approval_id ?? ''}/reject`, headers: checker.headers, payload: {} });
      expect(json(rejected)).toMatchObject({ resource: { status: 'rejected' } });
      const after = (await walletsOf(sandbox, maker)).find((wallet) => wallet.id === source?.id);
      expect(after?.available_balance).toBe(source?.balance);
      expect(after?.balance).toBe(source?.balance);
    });
  });

  describe('transfers to bank', () => {
    const beneficiary = { bank_code: 'BCA', account_number: '1234567890', account_name: 'PT Supplier' };

    it('quotes, creates, sends an instruction and completes, charging the fee', async () => {
      const [source] = await walletsOf(sandbox, alpha);
      const quote = json(
        await sandbox.app.inject({ method: 'POST', url: '/findigi/api/fiat/transfers-to-bank/quote', headers: alpha.headers, payload: { source_wallet_id: source?.id, amount: '1000000', beneficiary } }),
      );
      expect(quote).toMatchObject({ ok: true, quote: { amount: '1000000', fee: '2500', total: '1002500', currency: 'IDR' } });

      const created = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/fiat/transfers-to-bank', headers: alpha.headers, payload: { source_wallet_id: source?.id, amount: '1000000', beneficiary } });
      expect(created.statusCode).toBe(201);
      const body = json<{ transfer: TransferBody }>(created).transfer;
      expect(body).toMatchObject({ status: 'processing', fee: '2500' });

      const instruction = json<{ instruction: { status: string; transfer_id: string; channel_code: string } }>(
        await sandbox.app.inject({ method: 'GET', url: `/findigi/api/fiat/instructions/${body.instruction_id ?? ''}`, headers: alpha.headers }),
      ).instruction;
      expect(instruction).toMatchObject({ status: 'pending', transfer_id: body.id, channel_code: 'ID_BCA' });
      await advanceClock(sandbox, 5_000);
      const list = json<{ instructions: Array<{ status: string }> }>(await sandbox.app.inject({ method: 'GET', url: '/findigi/api/fiat/instructions', headers: alpha.headers }));
      expect(list.instructions[0]?.status).toBe('sent');
      await advanceClock(sandbox, 60_000);

      const done = json<{ transfer: TransferBody }>(await sandbox.app.inject({ method: 'GET', url: `/findigi/api/fiat/transfers-to-bank/${body.id}`, headers: alpha.headers }));
      expect(done.transfer.status).toBe('completed');
      const after = (await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === source?.id);
      expect(BigInt(after?.balance ?? '0')).toBe(BigInt(source?.balance ?? '0') - 1_002_500n);
      const kinds = sandbox.groundTruth('findigi', { accountId: source?.id ?? '' })[0]?.transactions?.slice(-2).map((entry) => [entry.kind, entry.amount.amount, entry.status]);
      expect(kinds).toEqual([
        ['transfer_to_bank', '-1000000', 'booked'],
        ['fee', '-2500', 'booked'],
      ]);
    });

    it('fails when the bank rejects the account, releasing the funds', async () => {
      const [source] = await walletsOf(sandbox, alpha);
      const created = json<{ transfer: TransferBody }>(
        await sandbox.app.inject({
          method: 'POST',
          url: '/findigi/api/fiat/transfers-to-bank',
          headers: alpha.headers,
          payload: { source_wallet_id: source?.id, amount: '1000', beneficiary: { ...beneficiary, account_number: '0000000000' } },
        }),
      ).transfer;
      await advanceClock(sandbox, 65_000);
      const failed = json<{ transfer: TransferBody & { failure_reason: string } }>(
        await sandbox.app.inject({ method: 'GET', url: `/findigi/api/fiat/transfers-to-bank/${created.id}`, headers: alpha.headers }),
      );
      expect(failed.transfer).toMatchObject({ status: 'failed', failure_reason: 'The beneficiary bank rejected the account number.' });
      expect((await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === source?.id)?.available_balance).toBe(source?.balance);
    });

    it('refuses a bank outside the corridor and an unknown source', async () => {
      const [source] = await walletsOf(sandbox, alpha);
      const corridor = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/fiat/transfers-to-bank', headers: alpha.headers, payload: { source_wallet_id: source?.id, amount: '1000', beneficiary: { ...beneficiary, bank_code: 'DBS' } } });
      expect(corridor.statusCode).toBe(422);
      expect(json(corridor)).toMatchObject({ error: 'UNSUPPORTED_CORRIDOR' });
      const missing = await sandbox.app.inject({ method: 'POST', url: '/findigi/api/fiat/transfers-to-bank', headers: alpha.headers, payload: { source_wallet_id: 'nope', amount: '1000', beneficiary } });
      expect(missing.statusCode).toBe(404);
    });
  });
});

describe('FinDIGI wallet transfer refusals (one sandbox: refused transfers change nothing)', () => {
  let sandbox: Sandbox;
  let alpha: FindigiSession;
  let destination: WalletBody;

  beforeAll(async () => {
    sandbox = await createTestSandbox({ liveActivity: false });
    alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
    destination = json<{ wallet: WalletBody }>(
      await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'IDR' } }),
    ).wallet;
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it.each([
    [{ amount: '0' }, 400, 'VALIDATION_ERROR', 'amount must be greater than zero.'],
    [{ amount: '10.5' }, 400, 'VALIDATION_ERROR', 'amount "10.5" has more decimals than IDR allows (0).'],
    [{ amount: 'ten' }, 400, 'VALIDATION_ERROR', 'amount "ten" is not a decimal number.'],
    [{ amount: '999999999999999' }, 422, 'INSUFFICIENT_FUNDS', undefined],
    [{ amount: '1', destination_wallet_id: 'missing' }, 404, 'NOT_FOUND', 'Wallet missing was not found.'],
  ])('refuses %j', async (override, status, error, message) => {
    const [source] = await walletsOf(sandbox, alpha);
    const response = await sandbox.app.inject({
      method: 'POST',
      url: '/findigi/api/wallets/transfers',
      headers: alpha.headers,
      payload: { source_wallet_id: source?.id, destination_wallet_id: destination.id, ...override },
    });
    expect(response.statusCode).toBe(status);
    expect(json(response)).toMatchObject({ error, ...(message === undefined ? {} : { message }) });
  });
});
