// Integration test, real parts: the Kafka broker and the PostgreSQL server of this run.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKafka } from '@finmesh/kafka';
import { testEnvironment } from '@finmesh/testing';
import { Client } from 'pg';
import { createFastifyAdapter } from '../http/fastify-adapter';
import { HealthModule } from './health.module';
import { kafkaReadinessCheck, postgresReadinessCheck, type ReadinessCheck } from './readiness-checks';

describe('HealthModule against the real Kafka and PostgreSQL', () => {
  const env = testEnvironment();
  const apps: NestFastifyApplication[] = [];
  const clients: Client[] = [];

  async function start(checks: () => ReadinessCheck[]): Promise<NestFastifyApplication> {
    @Module({ imports: [HealthModule.forRootAsync({ useFactory: checks })] })
    class ProbeModule {}
    const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, createFastifyAdapter(), { logger: false });
    apps.push(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  async function postgres(): Promise<Client> {
    const client = new Client({ connectionString: env.adminDatabaseUrl });
    await client.connect();
    clients.push(client);
    return client;
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const client of clients) await client.end();
  });

  it('is live and ready when Kafka, PostgreSQL and the custom checks answer', async () => {
    const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'health-test' });
    const database = await postgres();
    const app = await start(() => [
      kafkaReadinessCheck(kafka),
      postgresReadinessCheck(database),
      { name: 'consumer', check: () => Promise.resolve() },
    ]);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ok',
      info: { kafka: { status: 'up' }, postgres: { status: 'up' }, consumer: { status: 'up' } },
    });
  });

  it('answers 503 naming the dependency that is down, within the check timeout', async () => {
    const unreachableKafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'health-test-down', connectionTimeoutMs: 300 });
    const database = await postgres();
    const app = await start(() => [
      kafkaReadinessCheck(unreachableKafka, { timeoutMs: 1_000 }),
      postgresReadinessCheck(database),
      { name: 'stuck', timeoutMs: 200, check: () => new Promise<void>(() => undefined) },
    ]);
    // A check that never settles must not hold the answer: the `stuck` check's timeout answers for it.
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { kafka: { status: 'down' }, stuck: { status: 'down', message: expect.stringMatching(/within 200 ms/) } },
    });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
