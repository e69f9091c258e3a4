// Crash test, real parts: the Kafka broker and PostgreSQL of this run, and the ledger service as
// a separate process that is killed with SIGKILL in the middle of a large stream, then restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createIdempotentProducer, createKafka, provisionTopics } from '@finmesh/kafka';
import { toKafkaMessage, topicSpecs, type FinmeshEvent } from '@finmesh/schemas';
import { createTestDatabase, expectEventually, freePort, generateLedgerWorkload, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import { Pool } from 'pg';
import { invariantViolations } from './testing/ledger-queries';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const EVENTS = 30_000;

/** What every provider account must hold once each booked entry was posted exactly once. */
function expectedBalances(events: readonly FinmeshEvent[]): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  const seen = new Set<string>();
  for (const event of events) {
    if (event.type !== 'transaction.posted' || event.data.status !== 'booked' || seen.has(event.id)) continue;
    seen.add(event.id);
    const gross = BigInt(event.data.amount.amount);
    const fee = event.data.fee ? BigInt(event.data.fee.amount) : 0n;
    const net = event.data.direction === 'credit' ? gross - fee : -gross;
    balances.set(event.account.id, (balances.get(event.account.id) ?? 0n) + net);
  }
  return balances;
}

describe('the ledger survives SIGKILL in the middle of a stream', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('ledger-crash');
  let databaseUrl: string;
  let pool: Pool;
  const processes: ChildProcess[] = [];

  const startLedger = async (): Promise<ChildProcess> => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', 'ledger', 'src', 'main.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: env.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        LEDGER_CONSUMER_GROUP: `${prefix}ledger`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    processes.push(child);
    return child;
  };

  const processedCount = async (): Promise<number> => {
    try {
      const result = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_processed_events');
      return Number(result.rows[0]?.n ?? 0);
    } catch (error: unknown) {
      if ((error as { code?: string }).code === '42P01') return 0; // not migrated yet
      throw error;
    }
  };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('ledger-crash');
    pool = new Pool({ connectionString: databaseUrl, max: 2 });
  });

  afterAll(async () => {
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pool.end();
  });

  it('loses nothing and doubles nothing', async () => {
    const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'ledger-crash-test' });
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs(prefix));
    await admin.disconnect();

    const events = generateLedgerWorkload({ events: EVENTS, accounts: 300, hotAccounts: 5, hotShare: 0.3, seed: 7 });
    // A re-sync republishes a tenth of the stream: duplicates the ledger must drop.
    const stream = [...events, ...events.filter((_, index) => index % 10 === 0)];
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    for (let offset = 0; offset < stream.length; offset += 5_000) {
      const messages = stream.slice(offset, offset + 5_000).map((event) => toKafkaMessage(event, { topicPrefix: prefix }));
      const byTopic = new Map<string, Array<{ key: string; value: string }>>();
      for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.entries()].map(([topic, list]) => ({ topic, messages: list })) });
    }
    await producer.disconnect();

    const first = await startLedger();
    await expectEventually(async () => expect(await processedCount()).toBeGreaterThan(EVENTS / 5), { timeoutMs: 120_000, intervalMs: 20 });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atCrash = await processedCount();
    // The kill really happened mid-stream.
    expect(atCrash).toBeLessThan(EVENTS);

    await startLedger();
    await expectEventually(async () => expect(await processedCount()).toBe(EVENTS), { timeoutMs: 240_000, intervalMs: 200 });

    const balances = await pool.query<{ address: string; balance: string }>(
      `SELECT address, balance::text AS balance FROM ledger_accounts WHERE kind = 'provider_account' ORDER BY address`,
    );
    const expected = expectedBalances(events);
    const actual = new Map(balances.rows.map((row) => [row.address.replace('providers:indx:accounts:', ''), BigInt(row.balance)]));
    for (const [account, amount] of expected) expect({ account, balance: actual.get(account) }).toEqual({ account, balance: amount });
    expect(await invariantViolations(pool)).toEqual([]);
    const doubled = await pool.query(`SELECT business_key FROM ledger_journals GROUP BY kind, business_key HAVING count(*) > 1`);
    expect(doubled.rows).toEqual([]);
  }, 420_000);
});
