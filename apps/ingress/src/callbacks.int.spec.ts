// Integration test, real parts: the Kafka broker and the PostgreSQL server of this run; the ingress over HTTP.
import { randomBytes } from 'node:crypto';
import { expectEventually } from '@finmesh/testing';
import { Client } from 'pg';
import { startIngress, type RunningIngress } from './ingress-app';
import { IngressMetrics } from './ingress-metrics';
import {
  callbackTopicSize,
  CallbackEvents,
  fixtureSecrets,
  get,
  post,
  standardWebhook,
  suiteEnvironment,
  testIngressConfig,
  uniqueRequestId,
  WithdrawalAnnouncer,
  type SuiteEnvironment,
} from './testing/ingress-fixture';

describe('the ingress against the real Kafka and PostgreSQL', () => {
  const secrets = fixtureSecrets();
  let environment: SuiteEnvironment;
  let ingress: RunningIngress;
  let events: CallbackEvents;
  let announcer: WithdrawalAnnouncer;
  let database: Client;

  const url = (path: string): string => `${ingress.url}${path}`;
  const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  const rows = async (sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> =>
    (await database.query<Record<string, unknown>>(sql, params)).rows;

  beforeAll(async () => {
    environment = await suiteEnvironment('ingress-callbacks');
    ingress = await startIngress(testIngressConfig(environment, secrets, { INGRESS_INDODAX_WAIT_MS: '1500' }));
    events = new CallbackEvents(environment);
    await events.start();
    announcer = new WithdrawalAnnouncer(environment);
    await announcer.start();
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await announcer.stop();
    await events.stop();
    await ingress.close();
    await database.end();
  });

  describe('Standard Webhooks (POST /webhooks/:source)', () => {
    it('accepts a signed webhook: stored, published with the exact bytes, answered 200', async () => {
      const body = '{"event":"transfer.completed","amount":12345678901234567890.5,"iban":"LV62IDXO1001010002370"}';
      const request = standardWebhook(body, [secrets.acmeCurrent]);
      const answer = await post(url('/webhooks/acme'), { ...request.headers, 'x-correlation-id': 'sync-77' }, request.body);
      expect(answer.status).toBe(200);
      const { callbackId } = json(answer.text);
      const id = request.headers['webhook-id'] ?? '';

      const [stored] = await rows('SELECT status, body, headers FROM ingress_callback WHERE id = $1', [callbackId]);
      expect(stored).toMatchObject({ status: 'published', body: Buffer.from(body) });
      expect((stored?.['headers'] as Record<string, string>)['webhook-signature']).toBe('[REDACTED]');

      const [event] = await expectEventually(() => {
        const published = events.of('acme', id);
        expect(published).toHaveLength(1);
        return published;
      });
      expect(event).toMatchObject({
        provider: 'indx',
        source: 'callback',
        correlationId: 'sync-77',
        data: {
          callbackId,
          sourceName: 'acme',
          idempotencyKey: id,
          contentType: 'application/json',
          rawBodyBase64: Buffer.from(body).toString('base64'),
          parsedBody: { event: 'transfer.completed', amount: '12345678901234567890.5' },
          verification: { scheme: 'standard-webhooks', keyId: 'acme-2025' },
        },
      });
      expect(event?.data.headers['webhook-signature']).toBe('[REDACTED]');
    });

    it('accepts a webhook signed only with the previous secret during a rotation, naming that key', async () => {
      const request = standardWebhook('{"n":1}', [secrets.acmePrevious]);
      const answer = await post(url('/webhooks/acme'), request.headers, request.body);
      expect(answer.status).toBe(200);
      const id = request.headers['webhook-id'] ?? '';
      await expectEventually(() => expect(events.of('acme', id)[0]?.data.verification.keyId).toBe('acme-2024'));
    });

    it.each([
      ['forged (another secret)', () => standardWebhook('{"n":2}', ['whsec_' + randomBytes(32).toString('base64')]), 401],
      [
        'tampered (body changed after signing)',
        () => {
          const request = standardWebhook('{"amount":"10.00"}', [secrets.acmeCurrent]);
          return { ...request, body: '{"amount":"99.00"}' };
        },
        401,
      ],
      ['stale (10 minutes old)', () => standardWebhook('{"n":3}', [secrets.acmeCurrent], { timestamp: new Date(Date.now() - 600_000) }), 401],
      ['future-dated (10 minutes ahead)', () => standardWebhook('{"n":4}', [secrets.acmeCurrent], { timestamp: new Date(Date.now() + 600_000) }), 401],
      [
        'missing its signature',
        () => {
          const request = standardWebhook('{"n":5}', [secrets.acmeCurrent]);
          const { 'webhook-signature': _signature, ...headers } = request.headers;
          return { ...request, headers };
        },
        400,
      ],
    ])('refuses a webhook that is %s, storing and publishing nothing', async (_name, build, status) => {
      const request = build();
      const answer = await post(url('/webhooks/acme'), request.headers, request.body);
      expect(answer.status).toBe(status);
      expect(json(answer.text)).toMatchObject({ error: status === 401 ? 'verification_failed' : 'malformed_request' });
      const id = request.headers['webhook-id'] ?? '';
      expect(await rows('SELECT 1 FROM ingress_callback WHERE idempotency_key = $1', [id])).toEqual([]);
      expect(events.of('acme', id)).toEqual([]);
    });

    it('answers a replayed webhook 200 as a duplicate and publishes it once', async () => {
      const request = standardWebhook('{"replay":true}', [secrets.acmeCurrent]);
      const first = await post(url('/webhooks/acme'), request.headers, request.body);
      const again = await post(url('/webhooks/acme'), request.headers, request.body);
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(json(first.text)).toMatchObject({ status: 'accepted' });
      expect(json(again.text)).toEqual({ status: 'duplicate' });
      const id = request.headers['webhook-id'] ?? '';
      await expectEventually(() => expect(events.of('acme', id)).toHaveLength(1));
      // The log of the topic is read to its end before judging "once".
      const marker = standardWebhook('{"marker":1}', [secrets.acmeCurrent]);
      await post(url('/webhooks/acme'), marker.headers, marker.body);
      await expectEventually(() => expect(events.of('acme', marker.headers['webhook-id'] ?? '')).toHaveLength(1));
      expect(events.of('acme', id)).toHaveLength(1);
    });

    it('takes concurrent duplicates safely: all answered 200, one row, one event', async () => {
      const request = standardWebhook('{"burst":true}', [secrets.acmeCurrent]);
      const answers = await Promise.all(
        Array.from({ length: 25 }, () => post(url('/webhooks/acme'), request.headers, request.body)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 25 }, () => 200));
      expect(answers.filter((a) => json(a.text)['status'] === 'accepted')).toHaveLength(1);
      const id = request.headers['webhook-id'] ?? '';
      expect(await rows('SELECT status FROM ingress_callback WHERE idempotency_key = $1', [id])).toEqual([{ status: 'published' }]);
      await expectEventually(() => expect(events.of('acme', id)).toHaveLength(1));
    });

    it('refuses oversized bodies (413), other content types (415) and unknown sources (404)', async () => {
      const big = standardWebhook(JSON.stringify({ filler: 'x'.repeat(70 * 1024) }), [secrets.acmeCurrent]);
      const tooLarge = await post(url('/webhooks/acme'), big.headers, big.body);
      expect(tooLarge.status).toBe(413);
      expect(json(tooLarge.text)).toMatchObject({ error: 'payload_too_large' });

      const plain = standardWebhook('hello', [secrets.acmeCurrent]);
      const unsupported = await post(url('/webhooks/acme'), { ...plain.headers, 'content-type': 'text/plain' }, plain.body);
      expect(unsupported.status).toBe(415);

      const unknown = standardWebhook('{}', [secrets.acmeCurrent]);
      expect((await post(url('/webhooks/no-such-source'), unknown.headers, unknown.body)).status).toBe(404);
    });

    it('accepts form and multipart bodies, verified over their raw bytes', async () => {
      const form = standardWebhook('status=done&amount=10.00', [secrets.acmeCurrent]);
      const formAnswer = await post(url('/webhooks/acme'), { ...form.headers, 'content-type': 'application/x-www-form-urlencoded' }, form.body);
      expect(formAnswer.status).toBe(200);
      const boundary = 'b0undary';
      const multipartBody = `--${boundary}\r\nContent-Disposition: form-data; name="status"\r\n\r\ndone\r\n--${boundary}--\r\n`;
      const multipart = standardWebhook(multipartBody, [secrets.acmeCurrent]);
      const multipartAnswer = await post(
        url('/webhooks/acme'),
        { ...multipart.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        multipart.body,
      );
      expect(multipartAnswer.status).toBe(200);
      await expectEventually(() => {
        expect(events.of('acme', form.headers['webhook-id'] ?? '')[0]?.data.parsedBody).toEqual({ status: 'done', amount: '10.00' });
        expect(events.of('acme', multipart.headers['webhook-id'] ?? '')[0]?.data.parsedBody).toEqual({ status: 'done' });
      });
    });

    it('limits a source to its rate: 429 with Retry-After', async () => {
      const answers = [];
      for (let index = 0; index < 4; index += 1) {
        const request = standardWebhook(`{"i":${index}}`, [secrets.acmeCurrent]);
        answers.push(await post(url('/webhooks/trickle'), request.headers, request.body));
      }
      expect(answers.map((a) => a.status).slice(0, 2)).toEqual([200, 200]);
      const limited = answers.find((a) => a.status === 429);
      expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
      expect(json(limited?.text ?? '{}')).toMatchObject({ error: 'rate_limited' });
    });
  });

  describe('Xendit-style webhooks (POST /webhooks/xendit)', () => {
    const xendit = (token: string, id: string | undefined, body = '{"status":"COMPLETED","amount":150000}'): Promise<ReturnType<typeof post> extends Promise<infer A> ? A : never> =>
      post(
        url('/webhooks/xendit'),
        { 'content-type': 'application/json', 'x-callback-token': token, ...(id === undefined ? {} : { 'webhook-id': id }) },
        body,
      );

    it('accepts the right token, keyed by webhook-id; a retry is a duplicate', async () => {
      const id = `evt_${randomBytes(6).toString('hex')}`;
      expect(json((await xendit(secrets.xenditToken, id)).text)).toMatchObject({ status: 'accepted' });
      expect(json((await xendit(secrets.xenditToken, id)).text)).toEqual({ status: 'duplicate' });
      const [event] = await expectEventually(() => {
        const published = events.of('findigi-xendit', id);
        expect(published).toHaveLength(1);
        return published;
      });
      expect(event).toMatchObject({ provider: 'findigi', data: { verification: { scheme: 'callback-token' } } });
      expect(event?.data.headers['x-callback-token']).toBe('[REDACTED]');
    });

    it('refuses a wrong token (401) and a missing webhook-id (400)', async () => {
      const wrong = await xendit(`${secrets.xenditToken}x`, 'evt_wrong');
      expect(wrong.status).toBe(401);
      const noId = await xendit(secrets.xenditToken, undefined);
      expect(noId.status).toBe(400);
      expect(json(noId.text)).toMatchObject({ error: 'malformed_request', message: expect.stringMatching(/webhook-id/) });
    });
  });

  describe('INDEXO notifications (POST /callbacks/indexo/notifications)', () => {
    it('accepts a notification on the secret URI or with the token header; a repeat is a duplicate', async () => {
      const body = JSON.stringify({ paymentId: `pay-${randomBytes(4).toString('hex')}`, transactionStatus: 'ACSC' });
      const first = await post(url(`/callbacks/indexo/notifications/${secrets.indexoToken}`), { 'content-type': 'application/json' }, body);
      expect(json(first.text)).toMatchObject({ status: 'accepted' });
      const again = await post(
        url('/callbacks/indexo/notifications'),
        { 'content-type': 'application/json', 'x-indexo-notification-token': secrets.indexoToken },
        body,
      );
      expect(json(again.text)).toEqual({ status: 'duplicate' });
      await expectEventually(() => {
        const published = events.events.filter((event) => event.data.sourceName === 'indexo-notifications' && event.data.rawBodyBase64 === Buffer.from(body).toString('base64'));
        expect(published).toHaveLength(1);
        expect(published[0]).toMatchObject({ provider: 'indexo', data: { parsedBody: { transactionStatus: 'ACSC' } } });
      });
    });

    it('refuses a wrong token (401) and a notification that names no resource (400)', async () => {
      const wrong = await post(url(`/callbacks/indexo/notifications/${secrets.indexoToken}x`), { 'content-type': 'application/json' }, '{"paymentId":"p1"}');
      expect(wrong.status).toBe(401);
      const anonymous = await post(url(`/callbacks/indexo/notifications/${secrets.indexoToken}`), { 'content-type': 'application/json' }, '{"transactionStatus":"ACSC"}');
      expect(anonymous.status).toBe(400);
    });
  });

  describe('Indodax withdraw verification (POST /callbacks/indodax/withdrawals)', () => {
    const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
    const callback = (fields: Record<string, string>): ReturnType<typeof post> =>
      post(url('/callbacks/indodax/withdrawals'), { 'content-type': 'application/x-www-form-urlencoded' }, form(fields));
    const fieldsOf = (requestId: string, overrides: Record<string, string> = {}): Record<string, string> => ({
      request_id: requestId,
      withdraw_currency: 'btc',
      withdraw_address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh',
      withdraw_amount: '0.01500000',
      withdraw_memo: '',
      requester_ip: '203.0.113.7',
      request_date: '2026-11-22 09:00:00',
      ...overrides,
    });
    const announce = (requestId: string): ReturnType<WithdrawalAnnouncer['announce']> =>
      announcer.announce({
        requestId,
        currency: 'btc',
        address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh',
        amount: '0.015',
      });
    const waitUntilKnown = (requestId: string): Promise<unknown> =>
      expectEventually(async () => expect(await rows('SELECT 1 FROM ingress_expected_withdrawal WHERE request_id = $1', [requestId])).toHaveLength(1));

    it('answers ok for a withdrawal finmesh requested, and publishes the verified callback', async () => {
      const requestId = uniqueRequestId();
      await announce(requestId);
      await waitUntilKnown(requestId);
      const answer = await callback(fieldsOf(requestId));
      expect(answer).toMatchObject({ status: 200, text: 'ok' });
      await expectEventually(() =>
        expect(events.of('indodax-withdraw', requestId)[0]).toMatchObject({
          provider: 'indodax',
          data: { verification: { scheme: 'indodax-withdraw-request' }, parsedBody: { withdraw_amount: '0.01500000' } },
        }),
      );
      expect(await callback(fieldsOf(requestId))).toMatchObject({ status: 200, text: 'ok' });
    });

    it('waits for a withdrawal whose event arrives just after the callback, and answers ok', async () => {
      const requestId = uniqueRequestId();
      const metrics = ingress.app.get(IngressMetrics);
      const waitingBefore = (await metrics.indodaxWaiting.get()).values[0]?.value ?? 0;
      const foundWaits = async (): Promise<number> =>
        (await metrics.indodaxWait.get()).values.find((sample) => sample.metricName?.endsWith('_count') === true && sample.labels['outcome'] === 'found')?.value ?? 0;
      const foundBefore = await foundWaits();
      const answering = callback(fieldsOf(requestId));
      await expectEventually(async () => expect((await metrics.indodaxWaiting.get()).values[0]?.value).toBe(waitingBefore + 1), {
        intervalMs: 5,
      });
      await announce(requestId);
      const answer = await answering;
      expect(answer).toMatchObject({ status: 200, text: 'ok' });
      // The callback was in the wait when its request arrived, and the wait ended by finding it.
      expect(await foundWaits()).toBe(foundBefore + 1);
    });

    it.each([
      ['amount', { withdraw_amount: '0.01600000' }],
      ['address', { withdraw_address: 'bc1qattackerattackerattackerattacker0000' }],
      ['currency', { withdraw_currency: 'eth' }],
      ['memo', { withdraw_memo: 'extra' }],
    ])('does not answer ok when the %s differs, and records the rejection', async (field, overrides) => {
      const requestId = uniqueRequestId();
      await announce(requestId);
      await waitUntilKnown(requestId);
      const answer = await callback(fieldsOf(requestId, overrides));
      expect(answer.status).toBe(403);
      expect(answer.text).not.toBe('ok');
      expect(json(answer.text)).toMatchObject({ error: 'withdrawal_mismatch' });
      const [rejection] = await rows('SELECT reason, detail FROM ingress_rejected_callback WHERE idempotency_key = $1', [requestId]);
      expect(rejection).toMatchObject({ reason: 'withdrawal_mismatch', detail: expect.stringContaining(`withdraw_${field}`) });
      expect(events.of('indodax-withdraw', requestId)).toEqual([]);
    });

    it('does not answer ok for a withdrawal finmesh never requested', async () => {
      const requestId = uniqueRequestId();
      const answer = await callback(fieldsOf(requestId));
      expect(answer.status).toBe(403);
      expect(json(answer.text)).toMatchObject({ error: 'withdrawal_not_requested' });
      expect(await rows('SELECT reason FROM ingress_rejected_callback WHERE idempotency_key = $1', [requestId])).toEqual([
        { reason: 'withdrawal_not_requested' },
      ]);
    });

    it('refuses a malformed callback (400) without waiting', async () => {
      const answer = await callback({ request_id: 'not alphanumeric!', withdraw_currency: 'btc', withdraw_amount: '1' });
      expect(answer.status).toBe(400);
    });
  });

  describe('every route', () => {
    it.each([
      ['/webhooks/xendit', 'application/json'],
      ['/callbacks/indodax/withdrawals', 'application/x-www-form-urlencoded'],
      ['/callbacks/indexo/notifications', 'application/json'],
    ])('refuses an oversized body at %s (413) before verifying anything', async (path, type) => {
      const answer = await post(url(path), { 'content-type': type }, `${'a'.repeat(70 * 1024)}`);
      expect(answer.status).toBe(413);
      expect(json(answer.text)).toMatchObject({ error: 'payload_too_large' });
    });
  });

  describe('operations', () => {
    it('replays stored callbacks by id and by time range on the admin port, behind the admin token', async () => {
      const since = new Date(Date.now() - 1_000).toISOString();
      const request = standardWebhook('{"replay-me":1}', [secrets.acmeCurrent]);
      const { callbackId } = json((await post(url('/webhooks/acme'), request.headers, request.body)).text);
      const id = request.headers['webhook-id'] ?? '';
      await expectEventually(() => expect(events.of('acme', id)).toHaveLength(1));

      const adminUrl = ingress.adminUrl ?? '';
      const admin = { 'content-type': 'application/json', authorization: `Bearer ${secrets.adminToken}` };
      const unauthorised = await post(`${adminUrl}/admin/callbacks/replay`, { 'content-type': 'application/json' }, JSON.stringify({ ids: [callbackId] }));
      expect(unauthorised.status).toBe(401);
      const wrongToken = await post(`${adminUrl}/admin/callbacks/replay`, { ...admin, authorization: 'Bearer nope' }, JSON.stringify({ ids: [callbackId] }));
      expect(wrongToken.status).toBe(401);

      const byId = await post(`${adminUrl}/admin/callbacks/replay`, admin, JSON.stringify({ ids: [callbackId] }));
      expect(json(byId.text)).toMatchObject({ replayed: 1, callbackIds: [callbackId] });
      await expectEventually(() => expect(events.of('acme', id)).toHaveLength(2));
      const [original, replayed] = events.of('acme', id);
      expect(replayed).toEqual(original);

      const byRange = await post(
        `${adminUrl}/admin/callbacks/replay`,
        admin,
        JSON.stringify({ from: since, to: new Date(Date.now() + 1_000).toISOString(), source: 'acme' }),
      );
      expect(json(byRange.text)).toMatchObject({ replayed: 1, callbackIds: [callbackId] });

      const stored = await get(`${adminUrl}/admin/callbacks/${String(callbackId)}`, admin);
      expect(json(stored.text)).toMatchObject({ id: callbackId, status: 'published', bodyBase64: Buffer.from('{"replay-me":1}').toString('base64') });
      expect((await post(`${adminUrl}/admin/callbacks/replay`, admin, '{"ids":[]}')).status).toBe(400);
    });

    it('is live and ready, and counts callbacks per source and outcome', async () => {
      expect((await get(url('/health/live'))).status).toBe(200);
      const ready = await get(url('/health/ready'));
      expect(ready.status).toBe(200);
      expect(json(ready.text)).toMatchObject({ info: { kafka: { status: 'up' }, postgres: { status: 'up' }, 'withdrawal-consumer': { status: 'up' } } });
      const metrics = (await get(url('/metrics'))).text;
      expect(metrics).toMatch(/finmesh_ingress_callbacks_accepted_total\{source="acme",service="ingress"\} \d+/);
      expect(metrics).toMatch(/finmesh_ingress_callbacks_rejected_total\{source="acme",reason="bad_signature",service="ingress"\} \d+/);
      expect(metrics).toMatch(/finmesh_ingress_callbacks_duplicate_total\{source="acme",service="ingress"\} \d+/);
      expect(metrics).toMatch(/finmesh_ingress_callback_duration_seconds_bucket\{le="0.03",service="ingress",source="acme",outcome="accepted"\} \d+/);
      expect(metrics).not.toContain(secrets.indexoToken);
    });

    it('has published every accepted callback exactly once over the whole suite (plus the two replays)', async () => {
      const [{ published }] = (await rows("SELECT count(*)::int AS published FROM ingress_callback WHERE status = 'published'")) as [
        { published: number },
      ];
      expect(await rows("SELECT count(*)::int AS pending FROM ingress_callback WHERE status = 'pending'")).toEqual([{ pending: 0 }]);
      expect(await callbackTopicSize(environment)).toBe(published + 2);
    });
  });
});
