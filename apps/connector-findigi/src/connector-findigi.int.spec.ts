// Real parts: the Kafka broker and PostgreSQL of the test run; the provider sandbox, the ledger and the ingress as separate processes (real HTTP).
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTestDatabase, expectEventually, startProviderSandbox, testEnvironment, testTopicPrefix, type SandboxProcess } from '@finmesh/testing';
import type { ConnectorApp } from '@finmesh/connector-kit';
import { Pool } from 'pg';
import { loadFindigiConfig } from './config';
import { bootstrapFindigiConnector } from './findigi-app';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const CALLBACK_TOKEN = 'findigi-test-callback-token-0123456789';

interface PaymentAnswer {
  id: string;
  providerPaymentId: string;
  status: string;
  rawStatus: { scheme: string; code: string };
  history: Array<{ eventId: string; rawStatus: { scheme: string; code: string }; source: string }>;
}

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

describe('connector-findigi against the sandbox, with the ledger and the ingress', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('connector-findigi');
  const children: ChildProcess[] = [];
  let sandbox: SandboxProcess;
  let connector: ConnectorApp;
  let ledgerPool: Pool;
  let ingressUrl: string;

  const spawnService = (app: string, extraEnv: Record<string, string>): void => {
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', app, 'src', 'main.ts')], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, KAFKA_BROKERS: env.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, HOST: '127.0.0.1', LOG_LEVEL: 'error', ...extraEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
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

  const ledgerBalance = async (accountId: string): Promise<string | undefined> => {
    const result = await ledgerPool.query<{ balance: string }>(`SELECT balance::text AS balance FROM ledger_accounts WHERE address = $1`, [`providers:findigi:accounts:${accountId}`]);
    return result.rows[0]?.balance;
  };

  const ledgerPayment = async (providerPaymentId: string): Promise<{ status: string; hold_state: string; settled_transaction_id: string | null } | undefined> => {
    try {
      const result = await ledgerPool.query<{ status: string; hold_state: string; settled_transaction_id: string | null }>(
        'SELECT status, hold_state, settled_transaction_id FROM ledger_payments WHERE payment_key = $1',
        [`findigi:${providerPaymentId}`],
      );
      return result.rows[0];
    } catch (error: unknown) {
      if ((error as { code?: string }).code === '42P01') return undefined;
      throw error;
    }
  };

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

  beforeAll(async () => {
    sandbox = await startProviderSandbox({ seed: 'connector-findigi' });
    const ledgerDatabase = await createTestDatabase('findigi-ledger');
    ledgerPool = new Pool({ connectionString: ledgerDatabase, max: 2 });
    spawnService('ledger', { DATABASE_URL: ledgerDatabase, LEDGER_CONSUMER_GROUP: `${prefix}ledger`, PORT: String(randomPort()), KAFKA_PROVISION_TOPICS: 'true' });
    const ingressPort = randomPort();
    ingressUrl = `http://127.0.0.1:${ingressPort}`;
    spawnService('ingress', {
      DATABASE_URL: await createTestDatabase('findigi-ingress'),
      PORT: String(ingressPort),
      INGRESS_CONSUMER_GROUP: `${prefix}ingress`,
      INGRESS_XENDIT_CALLBACK_TOKENS: CALLBACK_TOKEN,
      KAFKA_PROVISION_TOPICS: 'true',
    });
    await sandbox.admin.call('PUT', '/findigi/webhook', { url: `${ingressUrl}/webhooks/xendit`, callbackToken: CALLBACK_TOKEN });

    const config = loadFindigiConfig({
      DATABASE_URL: await createTestDatabase('connector-findigi'),
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PROVISION_TOPICS: 'true',
      PORT: String(randomPort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SYNC_ENABLED: 'false',
      PAYMENTS_POLL_INTERVAL_MS: '200',
      CALLBACKS_CONSUMER_GROUP: `${prefix}connector-findigi-callbacks`,
      PROVIDER_RETRY_INITIAL_MS: '20',
      PROVIDER_RETRY_MAX_MS: '200',
      FINDIGI_BASE_URL: sandbox.baseUrls['findigi'] ?? '',
      FINDIGI_MODE: 'sandbox',
      FINDIGI_EMAIL: 'maker@findigi.local',
      FINDIGI_PASSWORD: 'sandbox-password',
      FINDIGI_2FA_CODE: '123456',
    });
    connector = await bootstrapFindigiConnector(config);
    await expectEventually(async () => expect((await fetch(`${ingressUrl}/health/ready`)).status).toBe(200), { timeoutMs: 60_000, intervalMs: 250 });
  }, 120_000);

  afterAll(async () => {
    await connector?.app.close();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise<void>((done) => child.once('exit', () => done())) : Promise.resolve())),
    );
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
    const codes = done.history.map((entry) => entry.rawStatus.code);
    expect(codes).toEqual(['awaiting_approval', 'processing', 'completed']);
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
});
