// Integration test, real parts: the Kafka broker and the PostgreSQL server of this run. Kafka "down" is a real
// client pointed at a closed port (127.0.0.1:1); PostgreSQL "down" is the suite's database refusing connections.
import { createKafka } from '@finmesh/kafka';
import { expectEventually, testEnvironment } from '@finmesh/testing';
import { Client } from 'pg';
import { startIngress, type RunningIngress } from './ingress-app';
import {
  callbackTopicSize,
  CallbackEvents,
  fixtureSecrets,
  get,
  post,
  standardWebhook,
  suiteEnvironment,
  testIngressConfig,
  type SuiteEnvironment,
} from './testing/ingress-fixture';

describe('the ingress when Kafka or PostgreSQL is down', () => {
  const secrets = fixtureSecrets();
  let environment: SuiteEnvironment;
  let events: CallbackEvents;
  let database: Client;
  let server: Client;
  const running: RunningIngress[] = [];

  const statusOf = async (webhookId: string): Promise<string[]> =>
    (await database.query<{ status: string }>('SELECT status FROM ingress_callback WHERE idempotency_key = $1', [webhookId])).rows.map(
      (row) => row.status,
    );

  beforeAll(async () => {
    environment = await suiteEnvironment('ingress-outage');
    events = new CallbackEvents(environment);
    await events.start();
    database = new Client({ connectionString: environment.databaseUrl });
    // This suite terminates the database's connections on purpose, its own included.
    database.on('error', () => undefined);
    server = new Client({ connectionString: testEnvironment().adminDatabaseUrl });
    await server.connect();
  });

  afterAll(async () => {
    for (const ingress of running) await ingress.close().catch(() => undefined);
    await events.stop();
    await database.end().catch(() => undefined);
    await server.end();
  });

  it('answers 503 with Retry-After while Kafka is unreachable, accepts nothing, and accepts the retry once the broker is back', async () => {
    const unreachableKafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'ingress-kafka-down', connectionTimeoutMs: 200 });
    const down = await startIngress(testIngressConfig(environment, secrets, { INGRESS_KAFKA_CONNECT_WAIT_MS: '0' }), {
      producerKafka: unreachableKafka,
    });
    running.push(down);
    await database.connect();

    const request = standardWebhook('{"transfer":"tr_1","amount":"100.00"}', [secrets.acmeCurrent]);
    const id = request.headers['webhook-id'] ?? '';
    const refused = await post(`${down.url}/webhooks/acme`, request.headers, request.body);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.text)).toMatchObject({ error: 'unavailable' });
    // Stored as pending (the raw callback is safe) but not accepted, and nothing reached Kafka.
    expect(await statusOf(id)).toEqual(['pending']);
    const again = await post(`${down.url}/webhooks/acme`, request.headers, request.body);
    expect(again.status).toBe(503);
    expect((await get(`${down.url}/health/ready`)).status).toBe(503);
    await down.close();

    const back = await startIngress(testIngressConfig(environment, secrets, { LOG_LEVEL: 'warn' }));
    running.push(back);
    const accepted = await post(`${back.url}/webhooks/acme`, request.headers, request.body);
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.text)).toMatchObject({ status: 'accepted' });
    const duplicate = await post(`${back.url}/webhooks/acme`, request.headers, request.body);
    expect(JSON.parse(duplicate.text)).toEqual({ status: 'duplicate' });
    expect(await statusOf(id)).toEqual(['published']);
    await expectEventually(() => expect(events.of('acme', id)).toHaveLength(1));
    expect(await callbackTopicSize(environment)).toBe(1);
  });

  it('answers 503 while PostgreSQL refuses connections, and accepts the retry once it is back', async () => {
    const ingress = running.at(-1);
    await database.end().catch(() => undefined);
    if (ingress === undefined) throw new Error('the previous test starts the ingress');
    const name = new URL(environment.databaseUrl).pathname.slice(1);
    const request = standardWebhook('{"transfer":"tr_2","amount":"5.00"}', [secrets.acmeCurrent]);
    const id = request.headers['webhook-id'] ?? '';

    await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    try {
      await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const refused = await post(`${ingress.url}/webhooks/acme`, request.headers, request.body);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
    } finally {
      await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    const accepted = await expectEventually(async () => {
      const answer = await post(`${ingress.url}/webhooks/acme`, request.headers, request.body);
      expect(answer.status).toBe(200);
      return answer;
    });
    expect(JSON.parse(accepted.text)).toMatchObject({ status: 'accepted' });
    await expectEventually(() => expect(events.of('acme', id)).toHaveLength(1));
    expect(await callbackTopicSize(environment)).toBe(2);
  });
});
