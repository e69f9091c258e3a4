// Real parts: the Kafka broker and PostgreSQL of the test run; the provider sandbox as a separate process (real HTTP, real JWT expiry on the wall clock).
import { expectEventually, startProviderSandbox, testTopicPrefix, type SandboxProcess } from '@finmesh/testing';
import type { ConnectorApp } from '@finmesh/connector-kit';
import { bootstrapFindigiConnector } from './findigi-app';
import { findigiTestConfig } from './testing/findigi-test-config';

/** The sandbox's JWTs live this long; the connector renews them 5 s before `exp`. */
const TOKEN_TTL_SECONDS = 12;
const REFRESH_MARGIN_MS = 5_000;

/** Sums `finmesh_connector_provider_requests_total` samples whose labels all match. */
function requestCount(metrics: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('finmesh_connector_provider_requests_total{')) continue;
    const matches = Object.entries(labels).every(([name, value]) => line.includes(`${name}="${value}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('connector-findigi against the sandbox: JWT renewal, and FX on the connector API', () => {
  const prefix = testTopicPrefix('connector-findigi-session');
  let sandbox: SandboxProcess;
  let connector: ConnectorApp;

  const metrics = async (): Promise<string> => (await fetch(`${connector.url}/metrics`)).text();
  const syncOutcomes = async (): Promise<string[]> => (await connector.runtime.engine.syncNow()).attempts.map((attempt) => `${attempt.resource}:${attempt.outcome}${attempt.error ? ` ${attempt.error}` : ''}`);
  const everythingCompleted = ['accounts:completed', 'balances:completed', 'transactions:completed'];

  beforeAll(async () => {
    sandbox = await startProviderSandbox({ seed: 'connector-findigi-session', env: { SANDBOX_FINDIGI_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) } });
    const config = await findigiTestConfig('connector-findigi-session', prefix, sandbox, { FINDIGI_TOKEN_REFRESH_MARGIN_MS: String(REFRESH_MARGIN_MS) });
    connector = await bootstrapFindigiConnector(config);
  }, 120_000);

  afterAll(async () => {
    await connector?.app.close();
    await sandbox?.stop();
  }, 60_000);

  it('logs in again before the JWT lapses: every sync succeeds and FinDIGI never answers 401', async () => {
    const outcomes: string[][] = [await syncOutcomes()];
    expect(requestCount(await metrics(), { endpoint: 'auth.login', outcome: 'ok' })).toBe(1);
    // Keep working across more than one token lifetime; the connector must have renewed on its own.
    await expectEventually(
      async () => {
        outcomes.push(await syncOutcomes());
        expect(requestCount(await metrics(), { endpoint: 'auth.login', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
      },
      { timeoutMs: 4 * TOKEN_TTL_SECONDS * 1_000, intervalMs: 500 },
    );
    for (const outcome of outcomes) expect(outcome).toEqual(everythingCompleted);
    const after = await metrics();
    expect(requestCount(after, { outcome: 'unauthorized' })).toBe(0);
    expect(requestCount(after, { endpoint: 'auth.2fa.verify', outcome: 'ok' })).toBe(requestCount(after, { endpoint: 'auth.login', outcome: 'ok' }));
  }, 120_000);

  it('a JWT the sandbox revoked gets one 401, a new login and the same request again: the caller sees success', async () => {
    const before = await metrics();
    const loginsBefore = requestCount(before, { endpoint: 'auth.login', outcome: 'ok' });
    const rejectedBefore = requestCount(before, { outcome: 'unauthorized' });
    const { revoked } = await sandbox.admin.call<{ revoked: number }>('POST', '/findigi/sessions/revoke', { email: 'maker@findigi.local' });
    expect(revoked).toBeGreaterThanOrEqual(1);

    expect(await syncOutcomes()).toEqual(everythingCompleted);
    const after = await metrics();
    expect(requestCount(after, { outcome: 'unauthorized' }) - rejectedBefore).toBe(1);
    expect(requestCount(after, { endpoint: 'auth.login', outcome: 'ok' }) - loginsBefore).toBe(1);

    // The payment API too: a revoked session under POST /v1/payments is renewed, not reported.
    await sandbox.admin.call('POST', '/findigi/sessions/revoke', { email: 'maker@findigi.local' });
    const wallets = (await (await fetch(`${connector.url}/v1/wallets`)).json()) as { data: Array<{ id: string }> };
    const source = wallets.data[0]?.id;
    if (source === undefined) throw new Error('a workspace wallet expected');
    const truths = await sandbox.admin.groundTruth('findigi', { transactions: false });
    const currency = truths.find((truth) => truth.accountId === source)?.asset.split('/')[0] ?? '';
    const sameCurrency = truths.find((truth) => truth.accountId !== source && !truth.accountId.includes(':') && truth.asset.startsWith(`${currency}/`))?.accountId;
    if (sameCurrency === undefined) throw new Error('a second wallet in the same currency expected');
    const created = await fetch(`${connector.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'findigi-session-revoked-1' },
      body: JSON.stringify({ type: 'wallet_transfer', sourceWalletId: source, destinationWalletId: sameCurrency, amount: '3', currency }),
    });
    expect(created.status).toBe(201);
    expect(requestCount(await metrics(), { outcome: 'unauthorized' }) - rejectedBefore).toBe(2);
  }, 120_000);

  describe('FX', () => {
    interface TickersAnswer {
      observedAt: string;
      minFreshSeconds: number;
      changeWindowHours: number;
      stale: boolean;
      data: Array<{ pair: string; base: string; quote: string; rate: string; ageSeconds: number; quotedAt: string; stale: boolean; expired: boolean; trend: string }>;
    }
    const get = async <T>(path: string): Promise<{ status: number; text: string; body: T }> => {
      const response = await fetch(`${connector.url}${path}`);
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as T };
    };
    const findigiTickers = async (): Promise<Array<{ pair: string; rate: string }>> => {
      const response = await fetch(`${sandbox.baseUrls['findigi'] ?? ''}/api/fx/tickers?pairs=USD/IDR,USD/SGD`, { headers: { 'x-findigi-is-test': 'true' } });
      const text = await response.text();
      // The rates as FinDIGI wrote them, read from the raw text (JSON.parse is not used on them).
      return [...text.matchAll(/"pair":"([^"]+)","rate":"([^"]+)"/g)].map((match) => ({ pair: match[1] ?? '', rate: match[2] ?? '' }));
    };

    it('serves FinDIGI tickers with exact decimal rates and their freshness; stale once older than minFreshSeconds', async () => {
      const fresh = await get<TickersAnswer>('/v1/fx/tickers?pairs=USD/IDR,USD/SGD');
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ minFreshSeconds: 15, changeWindowHours: 12, stale: false });
      expect(fresh.body.data.map((ticker) => ticker.pair)).toEqual(['USD/IDR', 'USD/SGD']);
      expect(fresh.body.data.map(({ pair, rate }) => ({ pair, rate }))).toEqual(await findigiTickers());
      for (const ticker of fresh.body.data) {
        expect(ticker.rate).toMatch(/^\d+\.\d{10}$/);
        expect(fresh.text).toContain(`"rate":"${ticker.rate}"`);
        expect(ticker).toMatchObject({ stale: false, expired: false, base: ticker.pair.split('/')[0], quote: ticker.pair.split('/')[1] });
        expect(Date.parse(fresh.body.observedAt) - Date.parse(ticker.quotedAt)).toBe(ticker.ageSeconds * 1000);
      }

      // No refresh happens while live activity is off: two minutes later the same rates are old.
      await sandbox.admin.advanceClock({ seconds: 120 });
      const old = await get<TickersAnswer>('/v1/fx/tickers?pairs=USD/IDR');
      expect(old.body.stale).toBe(true);
      expect(old.body.data[0]).toMatchObject({ rate: fresh.body.data[0]?.rate, stale: true, expired: true });
      expect(old.body.data[0]?.ageSeconds).toBeGreaterThanOrEqual(120);
      const tolerant = await get<TickersAnswer>('/v1/fx/tickers?pairs=USD/IDR&minFreshSeconds=3600');
      expect(tolerant.body).toMatchObject({ minFreshSeconds: 3600 });
      expect(tolerant.body.data[0]).toMatchObject({ stale: false, expired: true });
    }, 60_000);

    it('serves a quote with its validity, and refuses bad queries and pairs FinDIGI does not quote', async () => {
      const quote = await get<{ pair: string; rate: string; quotedAt: string; expiresAt: string; ttlSeconds: number }>('/v1/fx/quote?base=USD&quote=IDR&ttlSeconds=30');
      expect(quote.status).toBe(200);
      expect(quote.body).toMatchObject({ pair: 'USD/IDR', base: 'USD', quote: 'IDR', ttlSeconds: 30 });
      expect(quote.body.rate).toMatch(/^\d+\.\d{10}$/);
      expect(Date.parse(quote.body.expiresAt) - Date.parse(quote.body.quotedAt)).toBe(30_000);

      const malformed = await get<{ error: { code: string } }>('/v1/fx/tickers?pairs=USDIDR');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalid_request');
      const unknownPair = await get<{ error: { code: string; details: { providerCode: string } } }>('/v1/fx/quote?base=EUR&quote=SGD');
      expect(unknownPair.status).toBe(422);
      expect(unknownPair.body.error).toMatchObject({ code: 'provider_refused', details: { providerCode: 'VALIDATION_ERROR' } });
    }, 60_000);
  });
});
