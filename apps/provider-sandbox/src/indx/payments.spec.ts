import { signIndxRequest } from '@finmesh/signing';
import type { Sandbox } from '../sandbox';
import { INDX_CREDENTIALS, indx } from '../testing/indx-requests';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from '../testing/sandbox-fixture';

interface Balance {
  currentBalance: string;
  availableBalance: string;
}

let sandbox: Sandbox;
let usd: string;
let usd2: string;

async function openSandbox(): Promise<void> {
  sandbox = await createTestSandbox({ liveActivity: false, size: { accounts: 4, transactionsPerAccount: 5, historyDays: 10 } });
  const accounts = json<{ data: Array<{ id: string; currency: string }> }>(await indx(sandbox, 'GET', '/v1/accounts')).data.filter((account) => account.currency === 'USD');
  usd = accounts[0]?.id ?? '';
  usd2 = accounts[1]?.id ?? '';
}

const closeSandbox = (): Promise<void> => sandbox.close();
const balance = async (accountId: string) => json<Balance>(await indx(sandbox, 'GET', `/v1/accounts/${accountId}/balance`));
const cents = (text: string) => BigInt(text.replace('.', ''));

describe('INDX wire transfers and account-to-account transfers', () => {
  beforeEach(openSandbox);
  afterEach(closeSandbox);

  it('moves a wire pending → processing → completed, holding then booking amount and fee', async () => {
    const before = await balance(usd);
    const created = await indx(sandbox, 'POST', '/v1/wire-transfers', { accountId: usd, externalAccountId: 'ext_1', amount: '1000.50', currency: 'USD', reference: 'INV-1' });
    expect(created.statusCode).toBe(201);
    const wire = json<{ id: string; status: string; fee: string; transactionIds: string[] }>(created);
    expect(wire).toMatchObject({ status: 'pending', amount: '1000.50', fee: '15.00', currency: 'USD', reference: 'INV-1' });

    const held = await balance(usd);
    expect(held.currentBalance).toBe(before.currentBalance);
    expect(cents(held.availableBalance)).toBe(cents(before.availableBalance) - 101_550n);

    await advanceClock(sandbox, 30_000);
    expect(json(await indx(sandbox, 'GET', `/v1/wire-transfers/${wire.id}`))).toMatchObject({ status: 'processing' });
    await advanceClock(sandbox, 270_000);
    expect(json(await indx(sandbox, 'GET', `/v1/wire-transfers/${wire.id}`))).toMatchObject({ status: 'completed' });
    expect(cents((await balance(usd)).currentBalance)).toBe(cents(before.currentBalance) - 101_550n);

    const transactions = json<{ data: Array<{ id: string; type: string; status: string; amount: string }> }>(await indx(sandbox, 'GET', `/v1/transactions?accountId=${usd}&limit=2`)).data;
    expect(transactions.map((transaction) => [transaction.type, transaction.amount, transaction.status])).toEqual([
      ['fee', '-15.00', 'completed'],
      ['wire_out', '-1000.50', 'completed'],
    ]);
    expect(sandbox.groundTruth('indx', { accountId: usd })[0]?.transactions?.slice(-2).map((entry) => entry.references.wireTransferId)).toEqual([wire.id, wire.id]);
  });

  it('fails a wire the beneficiary bank returns, releasing the funds', async () => {
    const before = await balance(usd);
    const wire = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/wire-transfers', { accountId: usd, externalAccountId: 'ext_3', amount: '10.00', currency: 'USD' }));
    await advanceClock(sandbox, 300_000);
    expect(json(await indx(sandbox, 'GET', `/v1/wire-transfers/${wire.id}`))).toMatchObject({ status: 'failed', failureReason: 'Returned by the beneficiary bank: account closed.' });
    expect(await balance(usd)).toMatchObject({ currentBalance: before.currentBalance, availableBalance: before.availableBalance });
    const failed = json<{ data: Array<{ status: string }> }>(await indx(sandbox, 'GET', `/v1/transactions?accountId=${usd}&status=failed`)).data;
    expect(failed).toHaveLength(2);
  });

  it('fails every wire under the fail scenario', async () => {
    await sandbox.app.inject({ method: 'PUT', url: '/_admin/indx/scenario', headers: ADMIN_HEADERS, payload: { wireOutcome: 'fail' } });
    const wire = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/wire-transfers', { accountId: usd, externalAccountId: 'ext_1', amount: '10.00', currency: 'USD' }));
    await advanceClock(sandbox, 300_000);
    expect(json(await indx(sandbox, 'GET', `/v1/wire-transfers/${wire.id}`))).toMatchObject({ status: 'failed' });
  });

  it('transfers between accounts: pending, then completed with the credit booked on the other account', async () => {
    const fromBefore = await balance(usd);
    const toBefore = await balance(usd2);
    const created = await indx(sandbox, 'POST', '/v1/transfers', { fromAccountId: usd, toAccountId: usd2, amount: '250.00', currency: 'USD', description: 'Rebalance' });
    expect(created.statusCode).toBe(201);
    const transfer = json<{ id: string; status: string }>(created);
    expect(transfer.status).toBe('pending');
    await advanceClock(sandbox, 10_000);
    expect(json(await indx(sandbox, 'GET', `/v1/transfers/${transfer.id}`))).toMatchObject({ status: 'completed', transactionIds: [expect.any(String), expect.any(String)] });
    expect(cents((await balance(usd)).currentBalance)).toBe(cents(fromBefore.currentBalance) - 25_000n);
    expect(cents((await balance(usd2)).currentBalance)).toBe(cents(toBefore.currentBalance) + 25_000n);
  });

  it('returns the first result again for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const body = { fromAccountId: usd, toAccountId: usd2, amount: '1.00', currency: 'USD' };
    const first = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/transfers', body, { headers: { 'idempotency-key': 'k-1' } }));
    const again = await indx(sandbox, 'POST', '/v1/transfers', body, { headers: { 'idempotency-key': 'k-1' } });
    expect(json<{ id: string }>(again).id).toBe(first.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const conflict = await indx(sandbox, 'POST', '/v1/transfers', { ...body, amount: '2.00' }, { headers: { 'idempotency-key': 'k-1' } });
    expect(conflict.statusCode).toBe(409);
  });

});

describe('INDX payment refusals (one sandbox: refused requests change nothing)', () => {
  beforeAll(openSandbox);
  afterAll(closeSandbox);

  it.each([
    [{ externalAccountId: 'ext_1', amount: '1.00', currency: 'USD' }, 400, 'validation_error', 'Missing required fields: accountId.'],
    [{ externalAccountId: 'ext_1', amount: '1.001', currency: 'USD' }, 400, 'validation_error', 'amount "1.001" has more decimals than USD allows (2).'],
    [{ externalAccountId: 'ext_1', amount: '-5', currency: 'USD' }, 400, 'validation_error', 'amount must be greater than zero.'],
    [{ externalAccountId: 'ext_2', amount: '1.00', currency: 'USD' }, 400, 'validation_error', 'currency must be USD, the currency of the account and of the external account.'],
    [{ externalAccountId: 'ext_9', amount: '1.00', currency: 'USD' }, 404, 'not_found', 'External account ext_9 not found.'],
    [{ externalAccountId: 'ext_1', amount: '99999999999.00', currency: 'USD' }, 422, 'insufficient_funds', undefined],
  ])('refuses the wire %j', async (fields, status, code, message) => {
    const payload = 'accountId' in fields || message === 'Missing required fields: accountId.' ? fields : { accountId: usd, ...fields };
    const response = await indx(sandbox, 'POST', '/v1/wire-transfers', payload);
    expect(response.statusCode).toBe(status);
    expect(json(response)).toMatchObject({ error: { code, ...(message === undefined ? {} : { message }) } });
  });

  it('answers an empty body and malformed JSON with validation errors', async () => {
    const empty = await indx(sandbox, 'POST', '/v1/transfers');
    expect(empty.statusCode).toBe(400);
    expect(json(empty)).toEqual({ error: { code: 'validation_error', message: 'Missing required fields: fromAccountId, toAccountId, amount, currency.' } });
    const body = '{"fromAccountId":';
    const signed = signIndxRequest({ method: 'POST', pathWithQuery: '/indx/v1/transfers', body }, INDX_CREDENTIALS);
    const malformed = await sandbox.app.inject({ method: 'POST', url: '/indx/v1/transfers', headers: { ...signed, 'content-type': 'application/json' }, payload: body });
    expect(json(malformed)).toEqual({ error: { code: 'validation_error', message: 'the body is not valid JSON.' } });
  });
});
