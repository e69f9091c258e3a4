// Real parts: the Kafka broker and PostgreSQL of the test run; the provider sandbox, the ledger and the ingress as separate processes (real HTTP).
import {
  createTestDatabase,
  EventCollector,
  expectEventually,
  LedgerProbe,
  startAppProcess,
  startProviderSandbox,
  testEnvironment,
  testTopicPrefix,
  type AppProcess,
  type LedgerPaymentRow,
  type SandboxProcess,
} from '@finmesh/testing';
import type { ConnectorApp } from '@finmesh/connector-kit';
import { Pool } from 'pg';
import { bootstrapFindigiConnector } from './findigi-app';
import { findigiTestConfig } from './testing/findigi-test-config';

const CALLBACK_TOKEN = 'findigi-test-callback-token-0123456789';

interface PaymentAnswer {
  id: string;
  providerPaymentId: string;
  status: string;
  rawStatus: { scheme: string; code: string };
  history: Array<{ eventId: string; rawStatus: { scheme: string; code: string }; source: string }>;
}

describe('connector-findigi against the sandbox, with the ledger and the ingress', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('connector-findigi');
  const services: AppProcess[] = [];
  let sandbox: SandboxProcess;
  let connector: ConnectorApp;
  let ledgerPool: Pool;
  let ledger: LedgerProbe;
  let ingressUrl: string;
  let collector: EventCollector;

  /** The ledger or the ingress as its own process, ready (health) before the tests use it. */
  const startService = async (app: string, extraEnv: Record<string, string>): Promise<AppProcess> => {
    const started = await startAppProcess(app, { env: { KAFKA_BROKERS: env.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, ...extraEnv }, readyTimeoutMs: 90_000 });
    services.push(started);
    return started;
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

  /** The checker of the company workspace, acting directly at FinDIGI (the connector is the maker). */
  const checker = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const base = sandbox.baseUrls['findigi'] ?? '';
    const post = async (route: string, json: unknown): Promise<Record<string, unknown>> =>
      (await (await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) })).json()) as Record<string, unknown>;
    const login = await post('/api/auth/login', { email: 'checker@findigi.local', password: 'sandbox-password' });
    const verified = await post('/api/auth/login/2fa/verify', { challenge_id: login['challenge_id'], code: '123456' });
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${String(verified['token'])}`, 'x-findigi-is-test': 'true', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as T;
  };

  const ledgerBalance = (accountId: string): Promise<string | undefined> => ledger.balance(accountId);
  const ledgerPayment = (providerPaymentId: string): Promise<LedgerPaymentRow | undefined> => ledger.payment(providerPaymentId);

  const keptWallets = async (): Promise<string[]> => (await api<{ data: Array<{ id: string }> }>('GET', '/v1/wallets')).body.data.map((wallet) => wallet.id);

  const syncAll = async (): Promise<void> => {
    const result = await connector.runtime.engine.syncNow();
    expect(result.attempts.map((attempt) => [attempt.resource, attempt.outcome, attempt.error ?? ''])).toEqual([
      ['accounts', 'completed', ''],
      ['balances', 'completed', ''],
      ['transactions', 'completed', ''],
    ]);
  };

  const expectLedgerEqualsGroundTruth = async (): Promise<void> => {
    const wallets = new Set(await keptWallets());
    const truths = (await sandbox.admin.groundTruth('findigi', { transactions: false })).filter((account) => wallets.has(account.accountId.split(':')[0] ?? ''));
    expect(truths.length).toBeGreaterThan(0);
    for (const truth of truths) {
      await expectEventually(async () => expect(await ledgerBalance(truth.accountId)).toBe(truth.balance.amount), { timeoutMs: 30_000 });
    }
  };

  /** A workspace wallet and another wallet of the same currency (maybe another workspace's: FinDIGI allows it). */
  const transferPair = async (): Promise<{ source: string; destination: string; currency: string }> => {
    const [source] = await keptWallets();
    const truths = await sandbox.admin.groundTruth('findigi', { transactions: false });
    const asset = truths.find((truth) => truth.accountId === source)?.asset;
    const destination = truths.find((truth) => truth.asset === asset && truth.accountId !== source && !truth.accountId.includes(':'))?.accountId;
    if (source === undefined || destination === undefined || asset === undefined) throw new Error('two wallets of one currency expected');
    return { source, destination, currency: asset.split('/')[0] ?? '' };
  };

  const payment = async (id: string): Promise<PaymentAnswer> => (await api<PaymentAnswer>('GET', `/v1/payments/${id}`)).body;

  const approve = async (providerPaymentId: string): Promise<void> => {
    const approvals = await checker<{ approvals: Array<{ id: string; resource_id: string }> }>('GET', '/api/approvals?status=pending');
    const approval = approvals.approvals.find((candidate) => candidate.resource_id === providerPaymentId);
    if (!approval) throw new Error(`no pending approval for ${providerPaymentId}`);
    await checker('POST', `/api/approvals/${approval.id}/approve`, {});
  };

  /** A workspace wallet that can pay out to a bank, and a bank of its corridor. */
  const bankSource = async (): Promise<{ source: string; currency: string; bankCode: string }> => {
    const wallets = new Set(await keptWallets());
    const truths = await sandbox.admin.groundTruth('findigi', { transactions: false });
    const banks: Record<string, string> = { IDR: 'BCA', SGD: 'DBS' };
    for (const truth of truths) {
      const currency = truth.asset.split('/')[0] ?? '';
      const bankCode = banks[currency];
      if (wallets.has(truth.accountId) && bankCode !== undefined) return { source: truth.accountId, currency, bankCode };
    }
    throw new Error('no IDR or SGD wallet in the workspace');
  };

  const metricCount = async (labels: Record<string, string>): Promise<number> => {
    const text = await (await fetch(`${connector.url}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith('finmesh_connector_provider_requests_total{') && Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`))) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  };

  const transactionJournals = async (providerPaymentId: string): Promise<number> => {
    const result = await ledgerPool.query<{ count: string }>(`SELECT count(*)::text AS count FROM ledger_journals WHERE kind = 'transaction' AND payment_key = $1`, [`findigi:${providerPaymentId}`]);
    return Number(result.rows[0]?.count ?? '0');
  };

  /** Exactly one published payment.status_changed per change: each code once, each id once. */
  const expectOneEventPerChange = async (providerPaymentId: string, codes: string[]): Promise<void> => {
    const published = (): Array<{ id: string; code: string }> =>
      collector
        .of('payment.status_changed')
        .filter((event) => event.payment.id === providerPaymentId)
        .map((event) => ({ id: event.id, code: event.data.rawStatus.code }));
    await expectEventually(() => expect(published().map((event) => event.code).sort()).toEqual([...codes].sort()), { timeoutMs: 30_000 });
    const ids = published().map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  };

  beforeAll(async () => {
    sandbox = await startProviderSandbox({ seed: 'connector-findigi' });
    const ledgerDatabase = await createTestDatabase('findigi-ledger');
    ledgerPool = new Pool({ connectionString: ledgerDatabase, max: 2 });
    ledger = new LedgerProbe(ledgerPool, 'findigi');
    const ingressDatabase = await createTestDatabase('findigi-ingress');
    await Promise.all([
      startService('ledger', { DATABASE_URL: ledgerDatabase, LEDGER_CONSUMER_GROUP: `${prefix}ledger`, KAFKA_PROVISION_TOPICS: 'true' }),
      startService('ingress', {
        DATABASE_URL: ingressDatabase,
        INGRESS_CONSUMER_GROUP: `${prefix}ingress`,
        INGRESS_XENDIT_CALLBACK_TOKENS: CALLBACK_TOKEN,
        KAFKA_PROVISION_TOPICS: 'true',
      }).then((ingress) => (ingressUrl = ingress.url)),
    ]);
    await sandbox.admin.call('PUT', '/findigi/webhook', { url: `${ingressUrl}/webhooks/xendit`, callbackToken: CALLBACK_TOKEN });

    const config = await findigiTestConfig('connector-findigi', prefix, sandbox, {
      PAYMENTS_POLL_INTERVAL_MS: '200',
      CALLBACKS_CONSUMER_GROUP: `${prefix}connector-findigi-callbacks`,
    });
    connector = await bootstrapFindigiConnector(config);
    collector = await EventCollector.start(env.kafkaBrokers, prefix, ['payment.status_changed']);
  }, 180_000);

  afterAll(async () => {
    await collector?.stop();
    await connector?.app.close();
    await Promise.all(services.map((service) => service.stop()));
    await ledgerPool?.end();
    await sandbox?.stop();
  }, 60_000);

  it('logs in with 2FA, and syncs fiat wallets and FinVault positions so the ledger equals the ground truth', async () => {
    await syncAll();
    await expectLedgerEqualsGroundTruth();
    const vault = (await api<{ data: Array<{ id: string }> }>('GET', '/v1/finvault-wallets')).body.data;
    expect(vault.length).toBeGreaterThan(0);
  }, 90_000);

  it('a company transfer waits in pending_approval, is approved, settles once (webhooks and polls converge) and is booked', async () => {
    const { source, destination, currency } = await transferPair();
    const request = { type: 'wallet_transfer', sourceWalletId: source, destinationWalletId: destination, amount: '10', currency, description: 'Approved transfer' };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-approve-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_approval', rawStatus: { scheme: 'findigi.transfer', code: 'awaiting_approval' } });

    const approvals = await checker<{ approvals: Array<{ id: string; resource_id: string }> }>('GET', '/api/approvals?status=pending');
    const approval = approvals.approvals.find((candidate) => candidate.resource_id === created.body.providerPaymentId);
    if (!approval) throw new Error('no pending approval for the transfer');
    await checker('POST', `/api/approvals/${approval.id}/approve`, {});
    await sandbox.admin.advanceClock({ seconds: 10 });
    await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('settled'), { timeoutMs: 30_000 });
    const done = await payment(created.body.id);
    // In arrival order: a poll may see `completed` before the `processing` webhook lands (recorded as stale, never applied).
    const codes = done.history.map((entry) => entry.rawStatus.code);
    expect([...codes].sort()).toEqual(['awaiting_approval', 'completed', 'processing']);
    await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'completed']);
    expect(new Set(done.history.map((entry) => entry.eventId)).size).toBe(done.history.length);
    const deliveries = await sandbox.admin.call<{ callbacks: Array<{ eventType: string; attempts: Array<{ status?: number }> }> }>('GET', '/callbacks?provider=findigi');
    expect(deliveries.callbacks.some((delivery) => delivery.eventType === 'wallet_transfer.completed' && delivery.attempts.some((attempt) => attempt.status === 200))).toBe(true);

    await syncAll();
    await expectLedgerEqualsGroundTruth();
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled', hold_state: 'released' }), { timeoutMs: 30_000 });
    expect((await ledgerPayment(created.body.providerPaymentId))?.settled_transaction_id).not.toBeNull();
  }, 120_000);

  it('a rejected transfer releases its hold', async () => {
    const { source, destination, currency } = await transferPair();
    const request = { type: 'wallet_transfer', sourceWalletId: source, destinationWalletId: destination, amount: '7', currency };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-reject-1' });
    expect(created.body.status).toBe('pending_approval');
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    const approvals = await checker<{ approvals: Array<{ id: string; resource_id: string }> }>('GET', '/api/approvals?status=pending');
    const approval = approvals.approvals.find((candidate) => candidate.resource_id === created.body.providerPaymentId);
    if (!approval) throw new Error('no pending approval for the transfer');
    await checker('POST', `/api/approvals/${approval.id}/reject`, { note: 'not this one' });
    await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('rejected'), { timeoutMs: 30_000 });
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'rejected', hold_state: 'released' }), { timeoutMs: 30_000 });
    await syncAll();
    await expectLedgerEqualsGroundTruth();
  }, 120_000);

  it('a transfer to bank takes the quote step, waits for approval, settles and is booked once', async () => {
    const { source, currency, bankCode } = await bankSource();
    const quotesBefore = await metricCount({ endpoint: 'fiat.transfers-to-bank.quote', outcome: 'ok' });
    const request = { type: 'bank_transfer', sourceWalletId: source, amount: '25', currency, beneficiary: { bankCode, accountNumber: '1234567890', accountName: 'Siti Rahma' }, maxFee: '5000' };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-bank-settle-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_approval', rawStatus: { scheme: 'findigi.transfer', code: 'awaiting_approval' } });
    expect((await metricCount({ endpoint: 'fiat.transfers-to-bank.quote', outcome: 'ok' })) - quotesBefore).toBe(1);
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });

    await approve(created.body.providerPaymentId);
    await sandbox.admin.advanceClock({ seconds: 70 });
    await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('settled'), { timeoutMs: 30_000 });
    await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'completed']);

    await syncAll();
    await expectLedgerEqualsGroundTruth();
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled', hold_state: 'released' }), { timeoutMs: 30_000 });
    await syncAll();
    await expectLedgerEqualsGroundTruth();
    expect(await transactionJournals(created.body.providerPaymentId)).toBe(1);
  }, 120_000);

  it('a transfer to bank whose fee is above maxFee is refused at the quote step; nothing is held', async () => {
    const { source, currency, bankCode } = await bankSource();
    const request = { type: 'bank_transfer', sourceWalletId: source, amount: '25', currency, beneficiary: { bankCode, accountNumber: '1234567890', accountName: 'Siti Rahma' }, maxFee: '0.5' };
    const refused = await api<{ error: { code: string; message: string } }>('POST', '/v1/payments', { ...request, maxFee: currency === 'IDR' ? '1' : '0.5' }, { 'idempotency-key': 'findigi-bank-fee-1' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'provider_refused', message: expect.stringContaining('above maxFee') });
    const pending = (await sandbox.admin.groundTruth('findigi', { account: source }))[0]?.transactions?.filter((entry) => entry.status === 'pending') ?? [];
    expect(pending.filter((entry) => entry.references['reference_type'] === 'bank_transfer')).toEqual([]);
  }, 60_000);

  it('a transfer to bank the rail fails releases its hold, and nothing is booked for it', async () => {
    const { source, currency, bankCode } = await bankSource();
    const request = { type: 'bank_transfer', sourceWalletId: source, amount: '12', currency, beneficiary: { bankCode, accountNumber: '0000000000', accountName: 'Closed Account' } };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-bank-fail-1' });
    expect(created.body.status).toBe('pending_approval');
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    await approve(created.body.providerPaymentId);
    await sandbox.admin.advanceClock({ seconds: 70 });
    await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('failed'), { timeoutMs: 30_000 });
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'failed', hold_state: 'released' }), { timeoutMs: 30_000 });
    await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'failed']);
    await syncAll();
    await expectLedgerEqualsGroundTruth();
    expect(await transactionJournals(created.body.providerPaymentId)).toBe(0);
  }, 120_000);

  it('duplicated webhooks publish one payment.status_changed per change', async () => {
    await sandbox.admin.call('POST', '/faults', { provider: 'findigi', kind: 'callback_duplicate', copies: 3 });
    try {
      const { source, destination, currency } = await transferPair();
      const request = { type: 'wallet_transfer', sourceWalletId: source, destinationWalletId: destination, amount: '4', currency };
      const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-duplicates-1' });
      await approve(created.body.providerPaymentId);
      await sandbox.admin.advanceClock({ seconds: 10 });
      await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('settled'), { timeoutMs: 30_000 });
      const deliveries = await sandbox.admin.call<{ callbacks: Array<{ eventType: string; body: string; attempts: Array<{ status?: number }> }> }>('GET', '/callbacks?provider=findigi');
      const copies = deliveries.callbacks.filter((delivery) => delivery.body.includes(created.body.providerPaymentId)).flatMap((delivery) => delivery.attempts.filter((attempt) => attempt.status === 200));
      expect(copies.length).toBeGreaterThanOrEqual(9);
      await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'completed']);
    } finally {
      await sandbox.admin.clearFaults('findigi');
    }
  }, 120_000);

  it('reordered webhooks (an older status after a newer one) never move a payment backwards', async () => {
    const { source, destination, currency } = await transferPair();
    const request = { type: 'wallet_transfer', sourceWalletId: source, destinationWalletId: destination, amount: '6', currency };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-reorder-1' });
    // From here, webhooks wait until two are held and then go newest first: completed before processing.
    await sandbox.admin.call('POST', '/faults', { provider: 'findigi', kind: 'callback_reorder', holdCount: 2 });
    try {
      await approve(created.body.providerPaymentId);
      await sandbox.admin.advanceClock({ seconds: 10 });
      await sandbox.admin.call('POST', '/callbacks/flush');
      const reorder = (await sandbox.admin.faults()).find((fault) => fault.kind === 'callback_reorder');
      expect(reorder?.fired).toBeGreaterThanOrEqual(2);
      await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('settled'), { timeoutMs: 30_000 });
      await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'completed']);
      // Every callback consumed (the late processing one included): still settled, in finmesh and in the ledger.
      await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled' }), { timeoutMs: 30_000 });
      expect((await payment(created.body.id)).status).toBe('settled');
    } finally {
      await sandbox.admin.clearFaults('findigi');
    }
  }, 120_000);

  it('a payout waits for approval, settles on the rail and is booked once', async () => {
    const { source, currency, bankCode } = await bankSource();
    const request = { type: 'payout', sourceWalletId: source, amount: '30', currency, beneficiary: { bankCode, accountNumber: '5555555555', accountName: 'Dewi Lestari' } };
    const created = await api<PaymentAnswer>('POST', '/v1/payments', request, { 'idempotency-key': 'findigi-payout-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_approval', rawStatus: { scheme: 'findigi.transfer', code: 'awaiting_approval' } });
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    await approve(created.body.providerPaymentId);
    await sandbox.admin.advanceClock({ seconds: 70 });
    await expectEventually(async () => expect((await payment(created.body.id)).status).toBe('settled'), { timeoutMs: 30_000 });
    await expectOneEventPerChange(created.body.providerPaymentId, ['awaiting_approval', 'processing', 'completed']);
    await syncAll();
    await expectLedgerEqualsGroundTruth();
    await expectEventually(async () => expect(await ledgerPayment(created.body.providerPaymentId)).toMatchObject({ status: 'settled', hold_state: 'released' }), { timeoutMs: 30_000 });
    expect(await transactionJournals(created.body.providerPaymentId)).toBe(1);
  }, 120_000);

  interface BatchAnswer {
    id: string;
    status: string;
    approvalId: string | null;
    itemCount: number;
    totalAmount: { amount: string; asset: string };
    items: Array<{ itemId: string; paymentId: string | null; rawStatus: { code: string } }>;
  }

  const savedBank = async (bankCode: string, accountNumber: string): Promise<string> =>
    (await checker<{ bank: { id: string } }>('POST', '/api/settings/banks', { bank_code: bankCode, account_number: accountNumber, account_name: `Payee ${accountNumber}` })).bank.id;

  it('a batch transfer: one approval, each item its own payment and hold; a failed item is released, the other booked once', async () => {
    const { source, currency, bankCode } = await bankSource();
    const good = await savedBank(bankCode, '7777777777');
    const bad = await savedBank(bankCode, '0000000000');
    const request = { sourceWalletId: source, currency, items: [{ beneficiaryId: good, amount: '40' }, { beneficiaryId: bad, amount: '15' }], description: 'November payroll' };
    const created = await api<BatchAnswer>('POST', '/v1/batch-transfers', request, { 'idempotency-key': 'findigi-batch-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'awaiting_approval', itemCount: 2 });
    const [goodItem, badItem] = created.body.items;
    if (!goodItem?.paymentId || !badItem?.paymentId) throw new Error('every item must be followed by a payment');
    expect((await payment(goodItem.paymentId)).status).toBe('pending_approval');
    const replay = await api<BatchAnswer>('POST', '/v1/batch-transfers', request, { 'idempotency-key': 'findigi-batch-1' });
    expect(replay.body.id).toBe(created.body.id);
    expect(replay.body.items.map((item) => item.paymentId)).toEqual([goodItem.paymentId, badItem.paymentId]);
    const conflict = await api<{ error: { code: string } }>('POST', '/v1/batch-transfers', { ...request, description: 'another batch' }, { 'idempotency-key': 'findigi-batch-1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    for (const item of [goodItem, badItem]) {
      await expectEventually(async () => expect(await ledgerPayment(item.itemId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    }

    await checker('POST', `/api/approvals/${created.body.approvalId ?? ''}/approve`, {});
    await sandbox.admin.advanceClock({ seconds: 70 });
    await expectEventually(async () => expect((await payment(goodItem.paymentId ?? '')).status).toBe('settled'), { timeoutMs: 30_000 });
    await expectEventually(async () => expect((await payment(badItem.paymentId ?? '')).status).toBe('failed'), { timeoutMs: 30_000 });
    expect((await api<BatchAnswer>('GET', `/v1/batch-transfers/${created.body.id}`)).body).toMatchObject({ status: 'partially_completed' });
    await expectOneEventPerChange(goodItem.itemId, ['awaiting_approval', 'pending', 'processing', 'completed']);
    await expectOneEventPerChange(badItem.itemId, ['awaiting_approval', 'pending', 'processing', 'failed']);

    await syncAll();
    await expectLedgerEqualsGroundTruth();
    await expectEventually(async () => expect(await ledgerPayment(goodItem.itemId)).toMatchObject({ status: 'settled', hold_state: 'released' }), { timeoutMs: 30_000 });
    await expectEventually(async () => expect(await ledgerPayment(badItem.itemId)).toMatchObject({ status: 'failed', hold_state: 'released' }), { timeoutMs: 30_000 });
    expect(await transactionJournals(goodItem.itemId)).toBe(1);
    expect(await transactionJournals(badItem.itemId)).toBe(0);
  }, 120_000);

  it('cancelling a batch through the connector releases the holds of the items not yet run', async () => {
    const { source, currency, bankCode } = await bankSource();
    const bank = await savedBank(bankCode, '8888888888');
    const scheduledAt = new Date(Date.parse((await sandbox.admin.clock()).now) + 3_600_000).toISOString();
    const request = { sourceWalletId: source, currency, executionMode: 'scheduled', scheduledAt, items: [{ beneficiaryId: bank, amount: '9' }, { beneficiaryId: bank, amount: '11' }] };
    const created = await api<BatchAnswer>('POST', '/v1/batch-transfers', request, { 'idempotency-key': 'findigi-batch-cancel-1' });
    expect(created.status).toBe(201);
    for (const item of created.body.items) {
      await expectEventually(async () => expect(await ledgerPayment(item.itemId)).toMatchObject({ hold_state: 'held' }), { timeoutMs: 30_000 });
    }
    const cancelled = await api<BatchAnswer>('POST', `/v1/batch-transfers/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.items.map((item) => item.rawStatus.code)).toEqual(['cancelled', 'cancelled']);
    for (const item of created.body.items) {
      await expectEventually(async () => expect((await payment(item.paymentId ?? '')).status).toBe('cancelled'), { timeoutMs: 30_000 });
      await expectEventually(async () => expect(await ledgerPayment(item.itemId)).toMatchObject({ status: 'cancelled', hold_state: 'released' }), { timeoutMs: 30_000 });
    }
    const again = await api<{ error: { code: string } }>('POST', `/v1/batch-transfers/${created.body.id}/cancel`);
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('provider_refused');
    await syncAll();
    await expectLedgerEqualsGroundTruth();
  }, 120_000);
});
