import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { createIdempotentProducer, createKafka, provisionTopics } from '@finmesh/kafka';
import { dropDatabasesWithPrefix, ensureDatabase, LOCAL_DATABASE_URL, parseDatabaseUrl, withDatabase } from '@finmesh/persistence';
import { KAFKA_VERSION, ensureBroker, stopBroker } from '@finmesh/tools-kafka';
import { toKafkaMessage, topicSpecs } from '@finmesh/schemas';
import { describeMachine, WORKSPACE_ROOT, writeBenchmarkSection } from './bench-report';
import { generateLedgerWorkload } from '@finmesh/testing';

/**
 * `npm run bench:ledger`: N pre-generated events (mixed types, many accounts, a few hot ones) are
 * loaded into Kafka first; then the real ledger service starts and the run measures events/s and
 * postings/s from its first to its last commit, with pgbench's TPC-B-like figure from the same
 * machine in the same run as a yardstick. Results go to docs/benchmarks.md.
 */
const EVENTS = Number.parseInt(process.env['BENCH_EVENTS'] ?? '200000', 10);
const ACCOUNTS = Number.parseInt(process.env['BENCH_ACCOUNTS'] ?? '5000', 10);
const BROKER_PORT = Number.parseInt(process.env['BENCH_KAFKA_PORT'] ?? '19492', 10);
const log = (line: string): void => console.log(`[bench:ledger] ${line}`);

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const baseUrl = process.env['DATABASE_URL'] ?? LOCAL_DATABASE_URL;
  const adminUrl = parseDatabaseUrl(baseUrl).adminUrl;
  const databaseUrl = withDatabase(baseUrl, `finmesh_bench_ledger_${runId}`);
  const dataDir = join(WORKSPACE_ROOT, '.cache', 'kafka', `bench-broker-${BROKER_PORT}`);
  const broker = await ensureBroker({ port: BROKER_PORT, dataDir, fresh: true, log });
  const prefix = `bench-${runId}.`;
  const kafka = createKafka({ brokers: broker.brokers.split(','), clientId: 'finmesh-bench' });
  const admin = kafka.admin();
  let ledger: ChildProcess | undefined;
  try {
    await admin.connect();
    await provisionTopics(admin, topicSpecs(prefix));
    await ensureDatabase(databaseUrl);

    log(`generating ${EVENTS} events over ${ACCOUNTS} accounts`);
    const generated = Date.now();
    const events = generateLedgerWorkload({ events: EVENTS, accounts: ACCOUNTS, hotAccounts: 10, hotShare: 0.2, seed: 42 });
    const messages = events.map((event) => toKafkaMessage(event, { topicPrefix: prefix }));
    log(`generated in ${((Date.now() - generated) / 1000).toFixed(1)} s; loading into Kafka`);

    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    for (let offset = 0; offset < messages.length; offset += 5_000) {
      const chunk = messages.slice(offset, offset + 5_000);
      const byTopic = new Map<string, Array<{ key: string; value: string; headers: Record<string, string> }>>();
      for (const m of chunk) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value, headers: m.headers }]);
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.entries()].map(([topic, msgs]) => ({ topic, messages: msgs })) });
    }
    await producer.disconnect();
    log('loaded; starting the ledger');

    // BENCH_LEDGER_NODE_ARGS: extra node flags for the ledger process (e.g. --cpu-prof to profile it).
    const nodeArgs = (process.env['BENCH_LEDGER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
    ledger = spawn(process.execPath, [...nodeArgs, join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', 'ledger', 'src', 'main.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        LEDGER_CONSUMER_GROUP: `${prefix}ledger`,
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });

    const exited = new Promise<never>((_, reject) => {
      ledger?.once('exit', (code) => reject(new Error(`the ledger exited (code ${String(code)}) before it finished`)));
    });
    const measurement = await Promise.race([measure(databaseUrl, EVENTS), exited]);
    const tps = runPgbench(adminUrl, runId);
    const seconds = (measurement.lastAt - measurement.firstAt) / 1000;
    const eventsPerSecond = Math.round(EVENTS / seconds);
    const postingsPerSecond = Math.round(measurement.postings / seconds);
    log(
      `${EVENTS} events in ${seconds.toFixed(2)} s: ${eventsPerSecond} events/s, ${postingsPerSecond} postings/s, ` +
        `${measurement.batches} batches (${Math.round(EVENTS / measurement.batches)} events each); pgbench ${tps} tps`,
    );

    writeBenchmarkSection(
      'ledger',
      [
        '## Ledger (`npm run bench:ledger`)',
        '',
        `Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; Apache Kafka ${KAFKA_VERSION} (single KRaft node), broker, database and ledger on the same machine; \`synchronous_commit\` on (PostgreSQL default).`,
        '',
        `Workload: ${EVENTS} events pre-loaded into 6-partition topics — ~75 % booked transactions (30 % with a fee), ~10 % balances, ~15 % payment lifecycles (three statuses and the settling debit) — over ${ACCOUNTS} INDX accounts, 20 % of events on 10 hot accounts. One ledger process (partition concurrency ${process.env['LEDGER_PARTITIONS_CONCURRENCY'] ?? '3'}), timed from its first to its last commit.`,
        '',
        '| figure | value |',
        '|---|---|',
        `| events | ${EVENTS} |`,
        `| journals | ${measurement.journals} |`,
        `| postings | ${measurement.postings} |`,
        `| first → last commit | ${seconds.toFixed(2)} s |`,
        `| **events/s** | **${eventsPerSecond}** |`,
        `| postings/s | ${postingsPerSecond} |`,
        `| batches (database transactions) | ${measurement.batches} (${Math.round(EVENTS / measurement.batches)} events each) |`,
        `| pgbench TPC-B-like (scale 10, 4 clients, 20 s), same run | ${tps} tps |`,
        `| invariants after the run | ${measurement.invariants} |`,
      ].join('\n'),
    );
  } finally {
    if (ledger && ledger.exitCode === null) {
      ledger.kill('SIGTERM');
      await new Promise((r) => ledger?.once('exit', r));
    }
    await admin.disconnect().catch(() => undefined);
    await dropDatabasesWithPrefix(adminUrl, `finmesh_bench_ledger_${runId}`).catch(() => undefined);
    if (broker.startedHere) await stopBroker({ port: BROKER_PORT, dataDir, log });
  }
}

interface Measurement {
  firstAt: number;
  lastAt: number;
  postings: number;
  journals: number;
  batches: number;
  invariants: string;
}

/** Polls the processed-events table; the first and last commits are timed to the poll (50 ms). */
async function measure(databaseUrl: string, expected: number): Promise<Measurement> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let firstAt = 0;
    const deadline = Date.now() + 20 * 60_000;
    let lastProgress = Date.now();
    let lastCount = -1;
    while (Date.now() < deadline) {
      const count = await countProcessed(client);
      const now = Date.now();
      if (count > 0 && firstAt === 0) firstAt = now;
      if (count !== lastCount) {
        lastCount = count;
        lastProgress = now;
      }
      if (count >= expected) {
        // processed_at is each batch transaction's start time: distinct values count the batches.
        const totals = await client.query<{ postings: string; journals: string; batches: string }>(
          `SELECT (SELECT count(*) FROM ledger_postings)::text AS postings, (SELECT count(*) FROM ledger_journals)::text AS journals,
                  (SELECT count(DISTINCT processed_at) FROM ledger_processed_events)::text AS batches`,
        );
        const zero = await client.query(`SELECT asset FROM ledger_postings GROUP BY asset HAVING sum(amount) <> 0`);
        return {
          firstAt,
          lastAt: now,
          postings: Number(totals.rows[0]?.postings ?? 0),
          journals: Number(totals.rows[0]?.journals ?? 0),
          batches: Number(totals.rows[0]?.batches ?? 0),
          invariants: zero.rowCount === 0 ? 'every asset sums to zero' : `UNBALANCED: ${zero.rowCount} asset(s)`,
        };
      }
      if (now - lastProgress > 120_000) throw new Error(`the ledger made no progress for 2 minutes (at ${count}/${expected})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the ledger did not finish within 20 minutes');
  } finally {
    await client.end();
  }
}

async function countProcessed(client: Client): Promise<number> {
  try {
    const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ledger_processed_events`);
    return Number(result.rows[0]?.n ?? 0);
  } catch (error: unknown) {
    // 42P01: the ledger has not run its migrations yet.
    if ((error as { code?: string }).code === '42P01') return 0;
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function runPgbench(adminUrl: string, runId: string): string {
  const database = `finmesh_bench_pgbench_${runId}`;
  const url = new URL(adminUrl);
  const args = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')];
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  try {
    execFileSync('createdb', [...args, database], { env });
    execFileSync('pgbench', [...args, '-i', '-q', '-s', '10', database], { env, stdio: 'ignore' });
    const output = execFileSync('pgbench', [...args, '-c', '4', '-j', '2', '-T', '20', '-b', 'tpcb-like', database], {
      env,
      encoding: 'utf8',
    });
    const match = /tps = ([\d.]+)/.exec(output);
    return match?.[1] ? String(Math.round(Number(match[1]))) : 'unparsed';
  } catch (error: unknown) {
    return `not measured (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  } finally {
    try {
      execFileSync('dropdb', [...args, '--if-exists', database], { env });
    } catch {
      // Best effort: a leftover pgbench database is harmless.
    }
  }
}

main().catch((error: unknown) => {
  console.error(`[bench:ledger] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
