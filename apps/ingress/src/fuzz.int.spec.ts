// Integration test, real parts: the Kafka broker and the PostgreSQL server of this run; requests injected into the ingress's Fastify.
import fc from 'fast-check';
import { Client } from 'pg';
import { startIngress, type RunningIngress } from './ingress-app';
import { fixtureSecrets, standardWebhook, suiteEnvironment, testIngressConfig, type SuiteEnvironment } from './testing/ingress-fixture';

/** Statuses a refusal may have; 503 only with Retry-After. Never 2xx, never another 5xx. */
const REFUSALS = new Set([400, 401, 403, 404, 413, 415, 429, 503]);

describe('the ingress under random requests', () => {
  const secrets = fixtureSecrets();
  let environment: SuiteEnvironment;
  let ingress: RunningIngress;
  let database: Client;

  beforeAll(async () => {
    environment = await suiteEnvironment('ingress-fuzz');
    ingress = await startIngress(
      testIngressConfig(environment, secrets, {
        INGRESS_INDODAX_WAIT_MS: '20',
        INGRESS_RATE_LIMIT_PER_SECOND: '1000000',
        INGRESS_BODY_LIMIT_BYTES: '4096',
      }),
    );
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await ingress.close();
    await database.end();
  });

  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 80 });
  const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

  const path = fc.oneof(
    fc.constantFrom(
      '/webhooks/acme',
      '/webhooks/trickle',
      '/webhooks/xendit',
      '/callbacks/indodax/withdrawals',
      '/callbacks/indexo/notifications',
      // The real token's length with a wrong last character: this property sends no valid credential.
      `/callbacks/indexo/notifications/${secrets.indexoToken.slice(0, -1)}${secrets.indexoToken.endsWith('x') ? 'y' : 'x'}`,
    ),
    fc.stringMatching(/^[a-z0-9%._~-]{0,40}$/).map((segment) => `/webhooks/${segment}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/).map((segment) => `/callbacks/indexo/notifications/${segment}`),
  );

  const contentType = fc.option(
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'multipart/form-data',
        'text/plain',
        'application/xml',
        'APPLICATION/JSON',
      ),
      printable,
    ),
    { nil: undefined },
  );

  const headerValue = fc.oneof(printable, fc.constant(''), fc.constant(nowSeconds()));
  const headers = fc.record(
    {
      'webhook-id': headerValue,
      'webhook-timestamp': fc.oneof(fc.constant('now'), printable, fc.bigInt({ min: 0n, max: 10n ** 13n }).map(String)),
      'webhook-signature': fc.oneof(printable, fc.base64String({ maxLength: 64 }).map((sig) => `v1,${sig}`), fc.constant('v1a,abc v2,def')),
      'x-callback-token': fc.oneof(printable, fc.constant(secrets.xenditToken.slice(0, -1))),
      'x-indexo-notification-token': printable,
      'x-request-id': printable,
      'x-correlation-id': printable,
      authorization: printable,
    },
    { requiredKeys: [] },
  );

  const formOf = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
  const body = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
    fc.json({ maxDepth: 4 }),
    fc.constant(JSON.stringify({ paymentId: 'p-1', transactionStatus: 'ACSC' })),
    fc
      .record(
        {
          request_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{1,40}$/), printable),
          withdraw_currency: fc.constantFrom('btc', 'eth', ''),
          withdraw_address: printable,
          withdraw_amount: fc.oneof(fc.stringMatching(/^\d{1,5}(\.\d{1,8})?$/), printable),
          withdraw_memo: printable,
        },
        { requiredKeys: [] },
      )
      .map(formOf),
    fc.constant('--xyz\r\nContent-Disposition: form-data; name="request_id"\r\n\r\nabc123\r\n--xyz--\r\n'),
    fc.constant('x'.repeat(5_000)),
    fc.constant('['.repeat(3_000)),
  );

  const method = fc.constantFrom('POST', 'POST', 'POST', 'POST', 'PUT', 'GET');

  it('never accepts, never answers 5xx except a 503 with Retry-After, and always answers a JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, contentType, headers, body, async (verb, url, type, randomHeaders, payload) => {
        const requestHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(randomHeaders)) {
          if (value !== undefined) requestHeaders[name] = value === 'now' ? nowSeconds() : value;
        }
        if (type !== undefined) requestHeaders['content-type'] = type;
        const response = await ingress.app.inject({
          method: verb,
          url,
          headers: requestHeaders,
          ...(verb === 'GET' ? {} : { payload }),
        });
        expect(REFUSALS.has(response.statusCode)).toBe(true);
        if (response.statusCode === 503) expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.body).not.toBe('ok');
        const answer = JSON.parse(response.body) as { error?: unknown; message?: unknown };
        expect(typeof answer.error).toBe('string');
        expect(typeof answer.message).toBe('string');
      }),
      { numRuns: 600 },
    );

    // Nothing was stored as a callback, and the ingress still works.
    expect((await database.query('SELECT count(*)::int AS stored FROM ingress_callback')).rows).toEqual([{ stored: 0 }]);
    expect((await ingress.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const valid = standardWebhook('{"after":"fuzz"}', [secrets.acmeCurrent]);
    const accepted = await ingress.app.inject({ method: 'POST', url: '/webhooks/acme', headers: valid.headers, payload: valid.body });
    expect(accepted.statusCode).toBe(200);
  });

  it('takes any authentic webhook without a 5xx: stored and acknowledged, or refused as malformed', async () => {
    const webhookId = fc.stringMatching(/^[\x21-\x2d\x2f-\x7e]{1,600}$/);
    const acceptedType = fc.constantFrom(
      'application/json',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'multipart/form-data; boundary="a b"',
      `application/json; x=${'y'.repeat(300)}`,
    );
    await fc.assert(
      fc.asyncProperty(webhookId, acceptedType, body, async (id, type, payload) => {
        const signed = standardWebhook(payload, [secrets.acmeCurrent], { id });
        const response = await ingress.app.inject({
          method: 'POST',
          url: '/webhooks/acme',
          headers: { ...signed.headers, 'content-type': type },
          payload: signed.body,
        });
        expect([200, 400, 413]).toContain(response.statusCode);
        const answer = JSON.parse(response.body) as { status?: unknown; error?: unknown };
        if (response.statusCode === 200) expect(['accepted', 'duplicate']).toContain(answer.status);
        else expect(typeof answer.error).toBe('string');
      }),
      { numRuns: 300 },
    );
    const pending = await database.query("SELECT count(*)::int AS pending FROM ingress_callback WHERE status = 'pending'");
    expect(pending.rows).toEqual([{ pending: 0 }]);
  });

  it('takes any authentic INDEXO notification without a 5xx: stored and acknowledged, or refused as malformed', async () => {
    await fc.assert(
      fc.asyncProperty(contentType, body, async (type, payload) => {
        const response = await ingress.app.inject({
          method: 'POST',
          url: `/callbacks/indexo/notifications/${secrets.indexoToken}`,
          headers: type === undefined ? {} : { 'content-type': type },
          payload,
        });
        expect([200, 400, 413, 415]).toContain(response.statusCode);
        const answer = JSON.parse(response.body) as { status?: unknown; error?: unknown };
        if (response.statusCode === 200) expect(['accepted', 'duplicate']).toContain(answer.status);
        else expect(typeof answer.error).toBe('string');
      }),
      { numRuns: 200 },
    );
    const pending = await database.query("SELECT count(*)::int AS pending FROM ingress_callback WHERE status = 'pending'");
    expect(pending.rows).toEqual([{ pending: 0 }]);
  });
});
