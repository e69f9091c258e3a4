import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { expectEventually } from '@finmesh/testing';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFileError } from './core/state-file';
import { PROVIDER_IDS, type ProviderId } from './core/providers';
import type { SandboxOptions } from './options';
import type { Sandbox } from './sandbox';
import { CallbackReceiver } from './testing/callback-receiver';
import { API, indexoHeaders } from './testing/indexo-requests';
import { loginAs, walletsOf, type WalletBody } from './testing/findigi-session';
import { tapi } from './testing/indodax-requests';
import { indx } from './testing/indx-requests';
import { ADMIN_HEADERS, advanceClock, createTestSandbox, json } from './testing/sandbox-fixture';

/**
 * The sandbox's state file: a sandbox stopped and started again from it behaves exactly like one
 * that never stopped — same ground truth, same pending lifecycles completing, and the same next
 * ids (so nothing a connector created before the restart is issued again).
 */
const PERSISTED: readonly ProviderId[] = PROVIDER_IDS;
const FINX_AUTH = { authorization: 'Bearer finx-sandbox-token' };

let directory: string;
let stateFile: string;
const open: Sandbox[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  stateFile = join(directory, 'sandbox.state');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
  rmSync(directory, { recursive: true, force: true });
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await createTestSandbox({ stateFile, ...options });
  open.push(sandbox);
  return sandbox;
}

async function stop(sandbox: Sandbox): Promise<void> {
  open.splice(open.indexOf(sandbox), 1);
  await sandbox.close();
}

/** Work at every persisted provider that leaves lifecycles pending (wire, transfer, SCA, payment, resting order). */
async function beforeRestart(sandbox: Sandbox): Promise<Record<string, string>> {
  const usd = json<{ data: Array<{ id: string; currency: string }> }>(await indx(sandbox, 'GET', '/v1/accounts')).data.filter((account) => account.currency === 'USD');
  const [from, to] = [usd[0]?.id ?? '', usd[1]?.id ?? ''];
  const wire = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/wire-transfers', { accountId: from, externalAccountId: 'ext_1', amount: '10.50', currency: 'USD' }, { headers: { 'idempotency-key': 'wire-1' } }));
  const transfer = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/transfers', { fromAccountId: from, toAccountId: to, amount: '3.00', currency: 'USD' }));

  const debtor = sandbox.groundTruth('indexo').find((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1');
  const psuId = debtor?.references.psuId ?? '';
  const iban = debtor?.references.iban ?? '';
  const consent = json<{ consentId: string }>(
    await sandbox.app.inject({
      method: 'POST',
      url: `${API}/consents`,
      headers: indexoHeaders(psuId),
      payload: { access: { accounts: [{ iban }], balances: [{ iban }], transactions: [{ iban }] }, recurringIndicator: true, validUntil: '2025-12-31', frequencyPerDay: 4 },
    }),
  );
  const payment = json<{ paymentId: string }>(
    await sandbox.app.inject({
      method: 'POST',
      url: `${API}/payments/sepa-credit-transfers`,
      headers: indexoHeaders(psuId, { 'idempotency-key': 'payment-1' }),
      payload: { creditorName: 'James Bond', debtorAccount: { iban }, creditorAccount: { iban: 'LV26IDXO1001010000787' }, instructedAmount: { currency: 'EUR', amount: 25 } },
    }),
  );
  const order = json<{ return: { order_id: number } }>(await tapi(sandbox, 'trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1000000000']]));

  const finx = json<{ id: string }>(await sandbox.app.inject({ method: 'POST', url: '/finx/v1/accounts', headers: FINX_AUTH, payload: { type: 'savings', balance: 100, currency: 'EUR', owner_id: 'owner' } }));
  await sandbox.app.inject({ method: 'PUT', url: `/finx/v1/accounts/${finx.id}`, headers: FINX_AUTH, payload: { balance: 150.5 } });
  await sandbox.app.inject({ method: 'PUT', url: '/_admin/indexo/scenario', headers: ADMIN_HEADERS, payload: { paymentOutcome: 'settle' } });

  // Part of the way: SCA started, the transfer settled, the wire still pending.
  await advanceClock(sandbox, 60_000);

  // A FinDIGI wallet transfer left processing (it settles 5 s later on the clock).
  const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  const [source] = await walletsOf(sandbox, alpha);
  const destination = json<{ wallet: WalletBody }>(await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'IDR' } })).wallet;
  const walletTransfer = json<{ transfer: { id: string; status: string } }>(
    await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets/transfers', headers: alpha.headers, payload: { source_wallet_id: source?.id, destination_wallet_id: destination.id, amount: '100000', description: 'before the restart' } }),
  ).transfer;
  expect(walletTransfer.status).toBe('processing');
  return {
    wire: wire.id,
    transfer: transfer.id,
    consent: consent.consentId,
    payment: payment.paymentId,
    psuId,
    order: String(order.return.order_id),
    finx: finx.id,
    findigiWallet: destination.id,
    findigiTransfer: walletTransfer.id,
  };
}

/** The rest of the lifecycles, then new resources at every provider: their ids must be the same as without a restart. */
async function afterRestart(sandbox: Sandbox, ids: Record<string, string>): Promise<unknown> {
  await advanceClock(sandbox, 10 * 60_000);
  const psuId = ids['psuId'] ?? '';
  const wire = json<{ status: string }>(await indx(sandbox, 'GET', `/v1/wire-transfers/${ids['wire'] ?? ''}`));
  const paymentStatus = json<{ transactionStatus: string }>(
    await sandbox.app.inject({ method: 'GET', url: `${API}/payments/sepa-credit-transfers/${ids['payment'] ?? ''}/status`, headers: indexoHeaders(psuId) }),
  );
  const consentStatus = json<{ consentStatus: string }>(await sandbox.app.inject({ method: 'GET', url: `${API}/consents/${ids['consent'] ?? ''}/status`, headers: indexoHeaders(psuId) }));
  const iban = sandbox.groundTruth('indexo').find((account) => account.references.psuId === psuId)?.references.iban ?? '';
  const nextConsent = json<{ consentId: string }>(
    await sandbox.app.inject({
      method: 'POST',
      url: `${API}/consents`,
      headers: indexoHeaders(psuId),
      payload: { access: { accounts: [{ iban }] }, recurringIndicator: false, validUntil: '2025-12-31', frequencyPerDay: 1 },
    }),
  );
  const usd = sandbox.groundTruth('indx').find((account) => account.asset === 'USD/2')?.accountId ?? '';
  const nextWire = json<{ id: string }>(await indx(sandbox, 'POST', '/v1/wire-transfers', { accountId: usd, externalAccountId: 'ext_2', amount: '1.00', currency: 'USD' }));
  const nextOrder = json<{ return: { order_id: number } }>(await tapi(sandbox, 'trade', [['pair', 'btc_idr'], ['type', 'buy'], ['btc', '0.001'], ['price', '1000000000']]));
  const nextFinx = json<{ id: string }>(await sandbox.app.inject({ method: 'POST', url: '/finx/v1/accounts', headers: FINX_AUTH, payload: { type: 'checking', balance: 1, currency: 'USD', owner_id: 'owner' } }));
  const alpha = await loginAs(sandbox, 'alpha.tester@findigi.local');
  const walletTransfer = json<{ transfer: { status: string } }>(
    await sandbox.app.inject({ method: 'GET', url: `/findigi/api/wallets/transfers/${ids['findigiTransfer'] ?? ''}`, headers: alpha.headers }),
  ).transfer;
  const nextWallet = json<{ wallet: WalletBody }>(await sandbox.app.inject({ method: 'POST', url: '/findigi/api/wallets', headers: alpha.headers, payload: { currency: 'IDR' } })).wallet;
  return {
    findigiTransfer: walletTransfer.status,
    findigiWallet: (await walletsOf(sandbox, alpha)).find((wallet) => wallet.id === ids['findigiWallet'])?.balance,
    wire: wire.status,
    payment: paymentStatus.transactionStatus,
    consent: consentStatus.consentStatus,
    next: { consent: nextConsent.consentId, wire: nextWire.id, order: nextOrder.return.order_id, finx: nextFinx.id, findigiWallet: nextWallet.id },
    clock: sandbox.context.clock.now(),
    truth: PERSISTED.map((provider) => sandbox.groundTruth(provider)),
  };
}

describe('sandbox state file', () => {
  it('resumes every persisted provider exactly where it stopped: pending lifecycles complete, ids continue without repeating', async () => {
    const uninterrupted = await createTestSandbox({ seed: 'resume' });
    open.push(uninterrupted);
    const expectedIds = await beforeRestart(uninterrupted);
    const expected = await afterRestart(uninterrupted, expectedIds);

    const first = await start({ seed: 'resume' });
    expect(first.resumed).toBeUndefined();
    const ids = await beforeRestart(first);
    const truthBefore = PERSISTED.map((provider) => first.groundTruth(provider));
    const clockBefore = first.context.clock.now();
    await stop(first);

    const second = await start({ seed: 'resume' });
    expect(second.resumed).toMatchObject({ clock: new Date(clockBefore).toISOString(), caughtUpMs: 0 });
    expect(second.context.clock.now()).toBe(clockBefore);
    expect(PERSISTED.map((provider) => second.groundTruth(provider))).toEqual(truthBefore);
    expect(ids).toEqual(expectedIds);
    const actual = await afterRestart(second, ids);
    expect(actual).toMatchObject({ wire: 'completed', payment: 'ACSC', consent: 'valid', findigiTransfer: 'completed' });
    expect(actual).toEqual(expected);
  });

  it('keeps idempotency records, admin scenarios and the Indodax callback URL', async () => {
    const first = await start({ liveActivity: false });
    const usd = first.groundTruth('indx').find((account) => account.asset === 'USD/2')?.accountId ?? '';
    const body = { accountId: usd, externalAccountId: 'ext_1', amount: '2.00', currency: 'USD' };
    const created = json<{ id: string }>(await indx(first, 'POST', '/v1/wire-transfers', body, { headers: { 'idempotency-key': 'k-1' } }));
    await first.app.inject({ method: 'PUT', url: '/_admin/indx/scenario', headers: ADMIN_HEADERS, payload: { wireOutcome: 'fail' } });
    await first.app.inject({ method: 'PUT', url: '/_admin/indodax/callback-url', headers: ADMIN_HEADERS, payload: { url: 'http://127.0.0.1:9/verify' } });
    await stop(first);

    const second = await start({ liveActivity: false });
    const replayed = await indx(second, 'POST', '/v1/wire-transfers', body, { headers: { 'idempotency-key': 'k-1' } });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(json<{ id: string }>(replayed).id).toBe(created.id);
    expect(json(await second.app.inject({ method: 'GET', url: '/_admin/indx/scenario', headers: ADMIN_HEADERS }))).toEqual({ wireOutcome: 'fail' });
    expect(json<{ keys: Array<{ callbackUrl: string | null }> }>(await second.app.inject({ method: 'GET', url: '/_admin/indodax/callback-url', headers: ADMIN_HEADERS })).keys[0]?.callbackUrl).toBe(
      'http://127.0.0.1:9/verify',
    );
  });

  it('retries after the restart a callback that was waiting for its retry', async () => {
    const receiver = await CallbackReceiver.start();
    try {
      receiver.answer = () => ({ status: 503 });
      const first = await start({ liveActivity: false });
      const psuId = first.groundTruth('indexo').find((account) => account.references.psuId !== 'SANDBOX_INDICATOR_1')?.references.psuId ?? '';
      await first.app.inject({
        method: 'POST',
        url: `${API}/payments/sepa-credit-transfers`,
        headers: indexoHeaders(psuId, { 'tpp-notification-uri': receiver.url, 'tpp-notification-content-preferred': 'status=PROCESS,LAST' }),
        payload: { creditorName: 'X', creditorAccount: { iban: 'LV26IDXO1001010000787' }, instructedAmount: { currency: 'EUR', amount: '1.00' } },
      });
      await advanceClock(first, 170_000);
      expect(first.context.callbacks.deliveries('indexo').map((delivery) => delivery.state)).toEqual(['retrying']);
      await stop(first);

      receiver.answer = () => ({ status: 204 });
      const second = await start({ liveActivity: false });
      expect(second.context.callbacks.deliveries('indexo').map((delivery) => delivery.state)).toEqual(['retrying']);
      await advanceClock(second, 30_000);
      const [delivery] = second.context.callbacks.deliveries('indexo');
      expect(delivery?.state).toBe('delivered');
      expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([503, 204]);
      expect(receiver.received.map((callback) => (JSON.parse(callback.body) as { transactionStatus: string }).transactionStatus)).toEqual(['ACSC', 'ACSC']);
    } finally {
      await receiver.close();
    }
  });

  it('in realtime mode moves the clock on by the time it was down, at most the catch-up limit, running what fell due', async () => {
    let downtime = 0;
    const wallClock = (): number => Date.now() + downtime;
    const first = await start({ liveActivity: false, clockMode: 'manual', wallClock });
    const usd = first.groundTruth('indx').find((account) => account.asset === 'USD/2')?.accountId ?? '';
    const wire = json<{ id: string }>(await indx(first, 'POST', '/v1/wire-transfers', { accountId: usd, externalAccountId: 'ext_1', amount: '1.00', currency: 'USD' }));
    const savedClock = first.context.clock.now();
    await stop(first);

    downtime = 2 * 60 * 60_000;
    const second = await start({ liveActivity: false, clockMode: 'realtime', resumeCatchUpLimitMs: 10 * 60_000, wallClock });
    expect(second.resumed?.caughtUpMs).toBe(10 * 60_000);
    expect(second.context.clock.now()).toBeGreaterThanOrEqual(savedClock + 10 * 60_000);
    // (Ground truth rather than the API: INDX signatures are checked against the real wall clock.)
    const wireEntries = second.groundTruth('indx', { accountId: usd })[0]?.transactions?.filter((entry) => entry.references.wireTransferId === wire.id);
    expect(wireEntries?.map((entry) => entry.status)).toEqual(['booked', 'booked']);
  });

  it('writes the file periodically once the state changed, without waiting for the stop, atomically (what a crash leaves behind resumes)', async () => {
    const running = await start({ liveActivity: false, stateSaveIntervalMs: 50 });
    const created = json<{ id: string }>(
      await running.app.inject({ method: 'POST', url: '/finx/v1/accounts', headers: FINX_AUTH, payload: { type: 'savings', balance: 7, currency: 'EUR', owner_id: 'owner' } }),
    );
    await expectEventually(() => expect(existsSync(stateFile)).toBe(true));
    const content = readFileSync(stateFile);
    const header = JSON.parse(content.subarray(0, content.indexOf(0x0a)).toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ format: 'finmesh-provider-sandbox-state', version: 1, seed: 'contract-tests', clock: '2025-03-03T09:00:00.000Z' });
    expect(readdirSync(directory)).toEqual(['sandbox.state']);

    // As if the first one had crashed: a copy of the file it wrote while running.
    const copy = join(directory, 'copy.state');
    writeFileSync(copy, content);
    const resumed = await createTestSandbox({ stateFile: copy, liveActivity: false });
    open.push(resumed);
    expect(resumed.groundTruth('finx', { accountId: created.id })[0]?.balance).toEqual({ amount: '700', asset: 'EUR/2' });
  });

  describe('refuses a file it cannot resume from, saying why and how to start over', () => {
    const refusal = async (options: SandboxOptions = {}): Promise<StateFileError> => {
      const attempt = createTestSandbox({ stateFile, liveActivity: false, ...options });
      await expect(attempt).rejects.toBeInstanceOf(StateFileError);
      return attempt.then(
        () => {
          throw new Error('resumed from a file it should refuse');
        },
        (error: unknown) => error as StateFileError,
      );
    };

    it('a file that is not a sandbox state file', async () => {
      writeFileSync(stateFile, 'hello\nworld');
      expect((await refusal()).message).toMatch(/is not a provider sandbox state file; delete .* to start the sandbox again from its seed/);
    });

    it('a damaged (truncated) file', async () => {
      const sandbox = await start({ liveActivity: false });
      await stop(sandbox);
      const content = readFileSync(stateFile);
      writeFileSync(stateFile, content.subarray(0, content.length - 10));
      expect((await refusal()).message).toContain('is damaged');
    });

    it('a file of another format version', async () => {
      const sandbox = await start({ liveActivity: false });
      await stop(sandbox);
      const content = readFileSync(stateFile).toString('latin1').replace('"version":1,', '"version":0,');
      writeFileSync(stateFile, Buffer.from(content, 'latin1'));
      expect((await refusal()).message).toContain('has state format version 0, this sandbox reads version 1');
    });

    it('a file saved by a sandbox of another seed or size', async () => {
      const sandbox = await start({ liveActivity: false, seed: 'first-seed' });
      await stop(sandbox);
      expect((await refusal({ seed: 'second-seed' })).message).toMatch(/saved by a sandbox with seed "first-seed".*this one has seed\s+"second-seed"/);
      expect((await refusal({ seed: 'first-seed', size: 'small' })).message).toContain('and size');
    });
  });
});
