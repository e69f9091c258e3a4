// Real parts: the Kafka broker and PostgreSQL of the test run; the provider sandbox, the ledger and the ingress as separate processes (real HTTP).
import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  expectEventually,
  freePort,
  LedgerProbe,
  startAppProcess,
  startProviderSandbox,
  testEnvironment,
  testTopicPrefix,
  type AppProcess,
  type GroundTruthAccount,
  type LedgerPaymentRow,
  type SandboxProcess,
} from '@finmesh/testing';
import { Pool } from 'pg';
import { loadIndexoConfig } from './config';
import type { ConsentView } from './consents';
import { bootstrapIndexoConnector, type IndexoConnectorApp } from './indexo-app';
import { DOCUMENTED_SAMPLE_QWAC } from './testing/qwac-fixture';

const NOTIFICATION_TOKEN = randomBytes(24).toString('hex');

interface PaymentAnswer {
  id: string;
  providerPaymentId: string;
  status: string;
  rawStatus: { scheme: string; code: string };
  history: Array<{ eventId: string; rawStatus: { scheme: string; code: string }; source: string }>;
  sca?: { challenge: string };
}

function isoDay(offsetDays: number, from = Date.now()): string {
  return new Date(from + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

describe('connector-indexo against the sandbox, with the ledger and the ingress', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('connector-indexo');
  const services: AppProcess[] = [];
  let sandbox: SandboxProcess;
  let connector: IndexoConnectorApp;
  let ledgerPool: Pool;
  let ledger: LedgerProbe;
  let accounts: GroundTruthAccount[];
  let ingressUrl: string;

  const startService = async (app: string, extraEnv: Record<string, string>, port?: number): Promise<void> => {
    const service = await startAppProcess(app, { env: { KAFKA_BROKERS: env.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, ...extraEnv }, ...(port === undefined ? {} : { port }) });
    services.push(service);
  };

  const api = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${connector.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  };

  const ledgerBalance = (iban: string): Promise<string | undefined> => ledger.balance(iban);
  const ledgerPayment = (providerPaymentId: string): Promise<LedgerPaymentRow | undefined> => ledger.payment(providerPaymentId);

  const groundTruthBalance = async (iban: string): Promise<string> => {
    const truth = (await sandbox.admin.groundTruth('indexo', { transactions: false })).find((account) => account.references['iban'] === iban);
    if (!truth) throw new Error(`no ground truth for ${iban}`);
    return truth.balance.amount;
  };

  const consentState = async (consentId: string): Promise<ConsentView> => (await api<ConsentView>('GET', `/v1/consents/${consentId}`)).body;

  const payment = async (id: string): Promise<PaymentAnswer> => (await api<PaymentAnswer>('GET', `/v1/payments/${id}`)).body;

  const syncAll = async (): Promise<void> => {
    const result = await connector.runtime.engine.syncNow();
    expect(result.attempts.map((attempt) => [attempt.resource, attempt.outcome, attempt.error ?? ''])).toEqual([
      ['accounts', 'completed', ''],
      ['balances', 'completed', ''],
      ['transactions', 'completed', ''],
    ]);
  };

  beforeAll(async () => {
    sandbox = await startProviderSandbox({ seed: 'connector-indexo' });
    accounts = (await sandbox.admin.groundTruth('indexo', { transactions: false })).filter((account) => account.references['psuId'] !== 'SANDBOX_INDICATOR_1');
    const psuId = accounts[0]?.references['psuId'];
    if (psuId === undefined || accounts.length < 2) throw new Error('the sandbox has no PSU with two accounts');
    accounts = accounts.filter((account) => account.references['psuId'] === psuId);

    const ledgerDatabase = await createTestDatabase('indexo-ledger');
    ledgerPool = new Pool({ connectionString: ledgerDatabase, max: 2 });
    ledger = new LedgerProbe(ledgerPool, 'indexo');
    const ingressPort = await freePort();
    ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const ingressDatabase = await createTestDatabase('indexo-ingress');
    await Promise.all([
      startService('ledger', { DATABASE_URL: ledgerDatabase, LEDGER_CONSUMER_GROUP: `${prefix}ledger`, KAFKA_PROVISION_TOPICS: 'true' }),
      startService(
        'ingress',
        {
          DATABASE_URL: ingressDatabase,
          INGRESS_CONSUMER_GROUP: `${prefix}ingress`,
          INGRESS_INDEXO_NOTIFICATION_TOKENS: NOTIFICATION_TOKEN,
          KAFKA_PROVISION_TOPICS: 'true',
        },
        ingressPort,
      ),
    ]);

    const config = loadIndexoConfig({
      DATABASE_URL: await createTestDatabase('connector-indexo'),
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PROVISION_TOPICS: 'true',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SYNC_ENABLED: 'false',
      PAYMENTS_POLL_INTERVAL_MS: '200',
      CALLBACKS_CONSUMER_GROUP: `${prefix}connector-indexo-callbacks`,
      PROVIDER_RETRY_INITIAL_MS: '20',
      PROVIDER_RETRY_MAX_MS: '200',
      PROVIDER_CIRCUIT_FAILURES: '50',
      INDEXO_BASE_URL: sandbox.baseUrls['indexo'] ?? '',
      INDEXO_MODE: 'production',
      INDEXO_SUBSCRIPTION_KEY: '92044548c565426baecd52442f027fd1',
      INDEXO_QWAC_CERTIFICATE: DOCUMENTED_SAMPLE_QWAC,
      INDEXO_PSU_ID: psuId,
      INDEXO_PSU_IP_ADDRESS: '83.99.204.49',
      INDEXO_NOTIFICATION_URI: `${ingressUrl}/callbacks/indexo/notifications/${NOTIFICATION_TOKEN}`,
      INDEXO_CONSENT_CHECK_INTERVAL_MS: '100',
      INDEXO_SCA_POLL_INITIAL_MS: '100',
      INDEXO_SCA_POLL_MAX_MS: '400',
      INDEXO_SCA_TIMEOUT_MS: '120000',
      INDEXO_CONSENT_EXPIRY_WARNING_DAYS: '3',
      INDEXO_TRANSACTIONS_HISTORY_DAYS: '30',
    });
    connector = await bootstrapIndexoConnector(config);
  }, 120_000);

  afterAll(async () => {
    await connector?.app.close();
    await Promise.all(services.map((service) => service.stop()));
    await ledgerPool?.end();
    await sandbox?.stop();
  }, 60_000);

  let consentId: string;

  it('creates a consent, shows its challenge, follows SCA to valid, and syncs the ledger to the sandbox ground truth despite faults', async () => {
    const ibans = accounts.map((account) => account.references['iban'] ?? '');
    const created = await api<ConsentView>('POST', '/v1/consents', { ibans, validUntil: isoDay(60), frequencyPerDay: 0 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'pending_sca', access: { allAccounts: false, ibans } });
    expect(created.body.challenge).toMatch(/^\d{5}$/);
    consentId = created.body.consentId;

    await sandbox.admin.advanceClock({ seconds: 5 });
    await expectEventually(async () => expect((await consentState(consentId)).scaStatus).toBe('started'));
    await sandbox.admin.advanceClock({ seconds: 15 });
    await expectEventually(async () => expect(await consentState(consentId)).toMatchObject({ state: 'active', scaStatus: 'finalised', consentStatus: 'valid' }));

    // Faults the sandbox injects: a 503 burst, a rate limit with Retry-After, a cut-off body, a malformed one.
    await sandbox.admin.addFault({ provider: 'indexo', kind: 'error', route: '/external/openbanking/api/v1/accounts/:accountId/balances', count: 2 });
    await sandbox.admin.addFault({ provider: 'indexo', kind: 'rate_limit', route: '/external/openbanking/api/v1/accounts', retryAfterSeconds: 1, count: 1 });
    await sandbox.admin.addFault({ provider: 'indexo', kind: 'truncate', route: '/external/openbanking/api/v1/accounts/:accountId/transactions', count: 1 });
    await sandbox.admin.addFault({ provider: 'indexo', kind: 'malformed', route: '/external/openbanking/api/v1/accounts/:accountId/transactions', count: 1 });
    await syncAll();
    expect((await sandbox.admin.faults()).every((fault) => fault.fired > 0)).toBe(true);
    await sandbox.admin.clearFaults('indexo');

    for (const iban of ibans) {
      const truth = await groundTruthBalance(iban);
      await expectEventually(async () => expect(await ledgerBalance(iban)).toBe(truth), { timeoutMs: 30_000 });
    }
    const kept = await api<{ data: Array<{ id: string }> }>('GET', '/v1/accounts');
    expect(kept.body.data.map((account) => account.id).sort()).toEqual([...ibans].sort());
  }, 90_000);

  it('follows a SEPA payment to ACSC with one event per change (polling and notifications converge) and books it once', async () => {
    const [debtor, creditor] = accounts.map((account) => account.references['iban'] ?? '');
    if (debtor === undefined || creditor === undefined) throw new Error('two accounts expected');
    const request = { type: 'sepa_credit_transfer', debtorIban: debtor, creditorName: 'Janis Kalnins', creditorIban: creditor, amount: '12.34', currency: 'EUR', remittanceInformation: 'Invoice 42' };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'pay-acsc-1' });
    expect(created.status).toBe(201);
    expect(created.body.sca?.challenge).toMatch(/^\d{5}$/);
    expect(created.body.rawStatus).toEqual({ scheme: 'indexo.iso20022', code: 'RCVD' });
    const replay = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'pay-acsc-1' });
    expect(replay.status).toBe(200);
    expect(replay.body.providerPaymentId).toBe(created.body.providerPaymentId);
    const sca = await api<{ challenge: string }>('GET', `/v1/payments/${created.body.id}/sca`);
    expect(sca.body.challenge).toBe(created.body.sca?.challenge);
    const id = created.body.id;

    const step = async (seconds: number, code: string): Promise<void> => {
      await sandbox.admin.advanceClock({ seconds });
      await expectEventually(async () => expect((await payment(id)).history.map((entry) => entry.rawStatus.code)).toContain(code), { timeoutMs: 20_000 });
    };
    await step(5, 'started');
    await step(15, 'ACTC');
    await step(30, 'ACSP');
    await step(120, 'ACSC');
    const done = await payment(id);
    expect(done.status).toBe('settled');
    const codes = done.history.map((entry) => `${entry.rawStatus.scheme}:${entry.rawStatus.code}`);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(done.history.map((entry) => entry.eventId)).size).toBe(done.history.length);
    expect(codes).toEqual(expect.arrayContaining(['indexo.iso20022:RCVD', 'indexo.sca:finalised', 'indexo.iso20022:ACTC', 'indexo.iso20022:ACSP', 'indexo.iso20022:ACSC']));
    // INDEXO's notifications reached the ingress.
    const deliveries = await sandbox.admin.call<{ callbacks: Array<{ eventType: string; attempts: Array<{ status?: number }> }> }>('GET', '/callbacks?provider=indexo');
    expect(deliveries.callbacks.some((delivery) => delivery.eventType === 'payment.ACSC' && delivery.attempts.some((attempt) => attempt.status === 200))).toBe(true);

    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled' }), { timeoutMs: 30_000 });
    await syncAll();
    await syncAll();
    for (const iban of [debtor, creditor]) {
      const truth = await groundTruthBalance(iban);
      await expectEventually(async () => expect(await ledgerBalance(iban)).toBe(truth), { timeoutMs: 30_000 });
    }
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled', hold_state: 'released' }));
    expect((await ledgerPayment(created.body.providerPaymentId))?.settled_transaction_id).not.toBeNull();
  }, 120_000);

  it('reports a rejected payment and the ledger releases its hold', async () => {
    await sandbox.admin.call('PUT', '/indexo/scenario', { paymentOutcome: 'reject' });
    const [debtor, creditor] = accounts.map((account) => account.references['iban'] ?? '');
    const created = await api<PaymentAnswer>(
      'POST',
      '/v1/payments',
      { type: 'sepa_credit_transfer', debtorIban: debtor, creditorName: 'Liga Ozola', creditorIban: creditor, amount: '1.00', currency: 'EUR' },
      { 'idempotency-key': 'pay-rjct-1' },
    );
    expect(created.status).toBe(201);
    await sandbox.admin.advanceClock({ seconds: 20 });
    await expectEventually(async () => expect((await payment(created.body.id)).rawStatus.code).toBe('ACTC'), { timeoutMs: 20_000 });
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    await sandbox.admin.advanceClock({ seconds: 30 });
    await expectEventually(async () => expect(await payment(created.body.id)).toMatchObject({ status: 'rejected', rawStatus: { code: 'RJCT' } }), { timeoutMs: 20_000 });
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'rejected', hold_state: 'released' }), {
      timeoutMs: 30_000,
    });
    await sandbox.admin.call('PUT', '/indexo/scenario', { paymentOutcome: 'settle' });
  }, 90_000);

  it('keeps a consent whose SCA failed out of use and says why', async () => {
    await sandbox.admin.call('PUT', '/indexo/scenario', { scaOutcome: 'failed' });
    const created = await api<ConsentView>('POST', '/v1/consents', { validUntil: isoDay(30), frequencyPerDay: 4 });
    expect(created.status).toBe(201);
    await sandbox.admin.advanceClock({ seconds: 20 });
    await expectEventually(async () => expect(await consentState(created.body.consentId)).toMatchObject({ state: 'failed', scaStatus: 'failed' }));
    expect((await consentState(created.body.consentId)).reason).toMatch(/SCA failed/);
    expect((await connector.consents.usable()).map((consent) => consent.consentId)).toEqual([consentId]);
    await sandbox.admin.call('PUT', '/indexo/scenario', { scaOutcome: 'finalised' });
  }, 60_000);

  it('reports a consent before it expires, stops using it once INDEXO says it expired, and deletes through the link', async () => {
    const created = await api<ConsentView>('POST', '/v1/consents', { ibans: [accounts[0]?.references['iban']], validUntil: isoDay(1), frequencyPerDay: 4 });
    expect(created.status).toBe(201);
    const shortLived = created.body.consentId;
    await sandbox.admin.advanceClock({ seconds: 20 });
    await expectEventually(async () => expect(await consentState(shortLived)).toMatchObject({ state: 'active', expiresSoon: true, expiryReportedAt: expect.any(String) }));

    // Two days later INDEXO says the consent expired (the sync's CONSENT_EXPIRED or the status check, whichever comes first): it is marked and the others go on.
    await sandbox.admin.advanceClock({ seconds: 2 * 86_400 + 60 });
    await connector.runtime.engine.syncNow();
    await expectEventually(async () => expect(await consentState(shortLived)).toMatchObject({ state: 'expired', reason: expect.stringMatching(/CONSENT_EXPIRED|consentStatus expired/) }));

    const deleted = await api<ConsentView>('DELETE', `/v1/consents/${consentId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ state: 'deleted', consentStatus: 'terminatedByTpp' });
    expect(await connector.consents.usable()).toEqual([]);
  }, 60_000);
});
