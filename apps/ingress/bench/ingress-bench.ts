import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { Client } from 'pg';
import { request } from 'undici';
import { createKafka, provisionTopics } from '@finmesh/kafka';
import { dropDatabasesWithPrefix, ensureDatabase, LOCAL_DATABASE_URL, parseDatabaseUrl, withDatabase } from '@finmesh/persistence';
import { TOPICS, topicSpecs } from '@finmesh/schemas';
import { generateStandardWebhookSecret, signStandardWebhook } from '@finmesh/signing';

/**
 * `npm run bench:ingress`: the ingress as its own process with the durable path in place (a
 * PostgreSQL row, then Kafka with acks=all, then the published mark, before each 200), driven by
 * autocannon with pre-signed Standard Webhooks requests, every one with a unique webhook-id.
 * Phases: warm-up (BENCH_WARMUP_S, default 15 s); as fast as it goes (closed loop); a fixed 5,000 requests/s (open loop,
 * latency corrected for coordinated omission); and a bare Fastify hello-world in the same run as
 * the machine's yardstick. Writes the `## Ingress` section of docs/benchmarks.md.
 *
 * Kafka: KAFKA_BROKERS, else a broker on BENCH_KAFKA_PORT (default 19592) started through
 * tools/kafka's CLI (and stopped again if this run started it). PostgreSQL: DATABASE_URL's server,
 * else the local one; a fresh database per run, dropped at the end.
 */
const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const RUN_TS = join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs');
const BENCHMARKS_DOC = join(WORKSPACE_ROOT, 'docs', 'benchmarks.md');
const DURATION_S = Number.parseInt(process.env['BENCH_DURATION_S'] ?? '20', 10);
/** Long enough for the broker's JVM to compile its hot paths: a broker started by this run is cold. */
const WARM_UP_S = Number.parseInt(process.env['BENCH_WARMUP_S'] ?? '15', 10);
const CONNECTIONS = Number.parseInt(process.env['BENCH_CONNECTIONS'] ?? '64', 10);
const TARGET_RATE = Number.parseInt(process.env['BENCH_TARGET_RATE'] ?? '5000', 10);
const LIGHT_CONNECTIONS = Number.parseInt(process.env['BENCH_LIGHT_CONNECTIONS'] ?? '8', 10);
const BROKER_PORT = Number.parseInt(process.env['BENCH_KAFKA_PORT'] ?? '19592', 10);
/**
 * BENCH_PHASES: a comma-separated subset of max,light,fixed,hello (for profiling one phase); the
 * report in docs/benchmarks.md is written only when every phase ran.
 */
const ALL_PHASES = ['max', 'light', 'fixed', 'hello'] as const;
type PhaseName = (typeof ALL_PHASES)[number];
const PHASES: ReadonlySet<PhaseName> = new Set(
  (process.env['BENCH_PHASES'] ?? ALL_PHASES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is PhaseName => (ALL_PHASES as readonly string[]).includes(name)),
);
const SOURCE = 'bench';
/** As NODE_OPTIONS in npm start (tools/local-stack's service registry), docker-compose.yml and k8s. */
const INGRESS_NODE_FLAGS = '--max-semi-space-size=32';

const log = (line: string): void => console.log(`[bench:ingress] ${line}`);

interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

interface PhaseFigures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  total: number;
  /** Mean time of each protocol step during the phase (store, publish, mark_published), in ms. */
  stagesMs: Record<string, number>;
  /** The machine's 1-minute load average at the end of the phase. */
  load: number;
  /** CPU seconds per wall second (2.0 = both cores busy), by process, during the phase. */
  cpu: { ingress: number; bench: number; kafka: number; postgres: number; machine: number };
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const brokers = await kafkaBrokers(cleanups);
    const baseUrl = process.env['DATABASE_URL'] ?? LOCAL_DATABASE_URL;
    const databasePrefix = `finmesh_bench_ingress_${runId}`;
    const databaseUrl = withDatabase(baseUrl, databasePrefix);
    await ensureDatabase(databaseUrl);
    cleanups.push(async () => {
      await dropDatabasesWithPrefix(parseDatabaseUrl(baseUrl).adminUrl, databasePrefix);
    });

    const prefix = `bench-ingress-${runId}.`;
    const kafka = createKafka({ brokers, clientId: 'finmesh-bench-ingress' });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await provisionTopics(admin, topicSpecs(prefix));
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: topicSpecs(prefix).map((spec) => spec.name) }).catch(() => undefined);
    });

    const secret = generateStandardWebhookSecret();
    const port = await freePort();
    // BENCH_INGRESS_NODE_ARGS: node flags for the ingress process (e.g. add --cpu-prof to profile it);
    // by default the ones npm start, compose and k8s give it.
    const nodeArgs = (process.env['BENCH_INGRESS_NODE_ARGS'] ?? INGRESS_NODE_FLAGS).split(' ').filter((arg) => arg !== '');
    const ingress = spawn(process.execPath, [...nodeArgs, RUN_TS, join(WORKSPACE_ROOT, 'apps', 'ingress', 'src', 'main.ts')], {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_PROVISION_TOPICS: 'false',
        DATABASE_URL: databaseUrl,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        INGRESS_CONSUMER_GROUP: `${prefix}ingress`,
        INGRESS_RATE_LIMIT_PER_SECOND: '1000000',
        INGRESS_WORKERS: process.env['BENCH_INGRESS_WORKERS'] ?? '1',
        INGRESS_STANDARD_WEBHOOK_SOURCES: JSON.stringify({ [SOURCE]: { provider: 'indx', secrets: [secret] } }),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    cleanups.push(() => stopChild(ingress));
    const ingressUrl = `http://127.0.0.1:${port}`;
    await waitUntilReady(`${ingressUrl}/health/ready`, ingress);
    log(`ingress ready at ${ingressUrl} (pid ${String(ingress.pid)})`);

    const bodyTemplate = (id: string): string =>
      JSON.stringify({
        type: 'transfer.status_changed',
        data: {
          transfer_id: id,
          account_id: 'acc_7Hq2Lm',
          amount: '1250.00',
          currency: 'EUR',
          status: 'completed',
          counterparty: { name: 'Acme Supplies GmbH', iban: 'DE89370400440532013000' },
          reference: `invoice ${id}`,
        },
      });
    const generate = (count: number, tag: string): SignedRequest[] => {
      const now = new Date();
      return Array.from({ length: count }, (_, index) => {
        const id = `msg_${runId}_${tag}_${index}`;
        const body = bodyTemplate(id);
        return { headers: { 'content-type': 'application/json', ...signStandardWebhook({ id, timestamp: now, body }, [secret]) }, body };
      });
    };

    const url = `${ingressUrl}/webhooks/${SOURCE}`;
    const metricsUrl = `${ingressUrl}/metrics`;
    const loadBefore = loadavg()[0] ?? 0;
    log(`load average before the run: ${loadBefore.toFixed(2)}`);
    log(`warm-up (${WARM_UP_S} s)`);
    const warmUp = await phase('warm-up', url, generate(WARM_UP_S * 8_000, 'w'), { duration: WARM_UP_S, connections: CONNECTIONS }, ingress.pid, metricsUrl);
    const ran: PhaseFigures[] = [warmUp];
    const runPhase = async (
      name: PhaseName,
      announce: string,
      requests: () => SignedRequest[],
      options: { duration: number; connections: number; overallRate?: number },
    ): Promise<PhaseFigures | undefined> => {
      if (!PHASES.has(name)) return undefined;
      log(announce);
      const figures = await phase(name, url, requests(), options, ingress.pid, metricsUrl);
      ran.push(figures);
      return figures;
    };
    const fastest = await runPhase(
      'max',
      `as fast as it goes: ${CONNECTIONS} connections, ${DURATION_S} s`,
      () => generate(14_000 * DURATION_S, 'm'),
      { duration: DURATION_S, connections: CONNECTIONS },
    );
    const light = await runPhase(
      'light',
      `light load: ${LIGHT_CONNECTIONS} connections, ${DURATION_S} s`,
      () => generate(14_000 * DURATION_S, 'l'),
      { duration: DURATION_S, connections: LIGHT_CONNECTIONS },
    );
    const fixed = await runPhase(
      'fixed',
      `fixed rate: ${TARGET_RATE} requests/s, ${DURATION_S} s`,
      () => generate(Math.ceil(TARGET_RATE * DURATION_S * 1.1), 'f'),
      { duration: DURATION_S, connections: Math.max(CONNECTIONS, 128), overallRate: TARGET_RATE },
    );

    const durability = await checkDurability(databaseUrl, admin, prefix, ran);
    const batchSizes = await storeBatchSizes(metricsUrl);
    log(
      `durability: ${durability.acknowledged} answered 200, ${durability.publishedRows} rows published, ${durability.pendingRows} pending, ` +
        `${durability.kafkaMessages} messages; rows per statement ${JSON.stringify(batchSizes)}`,
    );
    await stopChild(ingress);

    let yardstick: PhaseFigures | undefined;
    if (PHASES.has('hello')) {
      log('yardstick: a bare Fastify hello-world');
      const helloPort = await freePort();
      const hello = spawn(
        process.execPath,
        [
          '-e',
          `const app = require('fastify')(); app.get('/', async () => 'hello world'); app.listen({ port: ${helloPort}, host: '127.0.0.1' });`,
        ],
        { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      cleanups.push(() => stopChild(hello));
      await waitUntilReady(`http://127.0.0.1:${helloPort}/`, hello);
      yardstick = await phase(
        'hello-world',
        `http://127.0.0.1:${helloPort}/`,
        undefined,
        { duration: Math.min(DURATION_S, 10), connections: CONNECTIONS },
        hello.pid,
        undefined,
      );
    }
    if (fastest === undefined || light === undefined || fixed === undefined || yardstick === undefined) {
      log('not every phase ran (BENCH_PHASES): docs/benchmarks.md left as it is');
      return;
    }

    const bodyBytes = Buffer.byteLength(bodyTemplate(`msg_${runId}_m_0`));
    const report = await renderReport({ fastest, light, fixed, yardstick, durability, batchSizes, databaseUrl, brokers, bodyBytes, loadBefore });
    writeSection(report);
    log(`results written to ${BENCHMARKS_DOC}`);
    console.log(report);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

/** Runs one autocannon phase; with `requests`, each request is the next pre-signed one. */
async function phase(
  name: string,
  url: string,
  requests: SignedRequest[] | undefined,
  options: { duration: number; connections: number; overallRate?: number },
  pid: number | undefined,
  metricsUrl: string | undefined,
): Promise<PhaseFigures> {
  const stagesBefore = metricsUrl === undefined ? undefined : await stageTotals(metricsUrl);
  let next = 0;
  let wrapped = false;
  const cpuBefore = {
    ingress: processCpuSeconds(pid),
    bench: process.cpuUsage(),
    kafka: matchingProcessesCpuSeconds(isBenchBroker),
    postgres: matchingProcessesCpuSeconds(isPostgres),
    machine: machineBusySeconds(),
  };
  const started = process.hrtime.bigint();
  const result: Result = await autocannon({
    url,
    duration: options.duration,
    connections: options.connections,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    requests:
      requests === undefined
        ? [{ method: 'GET' }]
        : [
            {
              method: 'POST',
              setupRequest: (raw) => {
                const signed = requests[next % requests.length];
                next += 1;
                if (next > requests.length) wrapped = true;
                return { ...raw, method: 'POST', headers: signed?.headers ?? {}, body: signed?.body ?? '' };
              },
            },
          ],
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const benchCpu = process.cpuUsage(cpuBefore.bench);
  const stagesAfter = metricsUrl === undefined ? undefined : await stageTotals(metricsUrl);
  if (wrapped) log(`${name}: ran out of pre-signed requests; later ones repeated ids (answered as duplicates)`);
  const figures: PhaseFigures = {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result['2xx'],
    stagesMs: stagesBefore === undefined || stagesAfter === undefined ? {} : stageMeansMs(stagesBefore, stagesAfter),
    load: loadavg()[0] ?? 0,
    cpu: {
      ingress: (processCpuSeconds(pid) - cpuBefore.ingress) / wallSeconds,
      bench: (benchCpu.user + benchCpu.system) / 1e6 / wallSeconds,
      kafka: (matchingProcessesCpuSeconds(isBenchBroker) - cpuBefore.kafka) / wallSeconds,
      postgres: (matchingProcessesCpuSeconds(isPostgres) - cpuBefore.postgres) / wallSeconds,
      machine: (machineBusySeconds() - cpuBefore.machine) / wallSeconds,
    },
  };
  log(
    `${name}: ${figures.requestsPerSecond} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, ` +
      `non-2xx ${figures.non2xx}, errors ${figures.errors}; load ${figures.load.toFixed(2)}; CPU ingress ${figures.cpu.ingress.toFixed(2)}, ` +
      `autocannon ${figures.cpu.bench.toFixed(2)}, Kafka ${figures.cpu.kafka.toFixed(2)}, PostgreSQL ${figures.cpu.postgres.toFixed(2)}, ` +
      `machine ${figures.cpu.machine.toFixed(2)} of ${cpus().length}; ingress CPU per 2xx ${perRequestMicros(figures)} µs; steps ms ${JSON.stringify(figures.stagesMs, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value))}`,
  );
  return figures;
}

/** The server's CPU per 2xx answer during a phase, in µs. */
function perRequestMicros(figures: PhaseFigures): string {
  return figures.requestsPerSecond > 0 ? ((figures.cpu.ingress / figures.requestsPerSecond) * 1e6).toFixed(0) : '?';
}

interface Durability {
  acknowledged: number;
  publishedRows: number;
  pendingRows: number;
  kafkaMessages: number;
}

/**
 * Every 200 must be a published row and a message in Kafka. Requests still in flight when a phase
 * ends (autocannon stops waiting for them) are counted once the ingress has settled.
 */
async function checkDurability(
  databaseUrl: string,
  admin: ReturnType<ReturnType<typeof createKafka>['admin']>,
  prefix: string,
  phases: readonly PhaseFigures[],
): Promise<Durability> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let previous = '';
    for (let attempt = 0; ; attempt += 1) {
      const counts = await client.query<{ published: number; pending: number }>(
        "SELECT count(*) FILTER (WHERE status = 'published')::int AS published, count(*) FILTER (WHERE status = 'pending')::int AS pending FROM ingress_callback",
      );
      const offsets = await admin.fetchTopicOffsets(`${prefix}${TOPICS['callback.received'].baseName}`);
      const durability: Durability = {
        acknowledged: phases.reduce((sum, figures) => sum + figures.total, 0),
        publishedRows: counts.rows[0]?.published ?? 0,
        pendingRows: counts.rows[0]?.pending ?? 0,
        kafkaMessages: offsets.reduce((sum, partition) => sum + Number(partition.high), 0),
      };
      const snapshot = JSON.stringify(durability);
      if (snapshot === previous || attempt >= 20) return durability;
      previous = snapshot;
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_000));
    }
  } finally {
    await client.end();
  }
}

const STAGES = ['store', 'publish', 'mark_published'] as const;

/** Sum and count of the intake stage histogram, per stage, from the ingress's metrics. */
async function stageTotals(metricsUrl: string): Promise<Record<string, { sum: number; count: number }>> {
  const response = await request(metricsUrl);
  const text = await response.body.text();
  const totals: Record<string, { sum: number; count: number }> = {};
  for (const stage of STAGES) {
    const read = (suffix: string): number =>
      Number(new RegExp(`finmesh_ingress_intake_stage_seconds_${suffix}\\{[^}]*stage="${stage}"[^}]*\\} ([0-9.e+-]+)`).exec(text)?.[1] ?? 0);
    totals[stage] = { sum: read('sum'), count: read('count') };
  }
  return totals;
}

function stageMeansMs(
  before: Record<string, { sum: number; count: number }>,
  after: Record<string, { sum: number; count: number }>,
): Record<string, number> {
  const means: Record<string, number> = {};
  for (const stage of STAGES) {
    const count = (after[stage]?.count ?? 0) - (before[stage]?.count ?? 0);
    const sum = (after[stage]?.sum ?? 0) - (before[stage]?.sum ?? 0);
    if (count > 0) means[stage] = (sum / count) * 1_000;
  }
  return means;
}

/** Mean of a labelled histogram of the ingress's own metrics, per label value. */
function histogramMeans(text: string, metric: string, label: string, values: readonly string[]): Record<string, number> {
  const means: Record<string, number> = {};
  for (const value of values) {
    const read = (suffix: string): string | undefined =>
      new RegExp(`${metric}_${suffix}\\{[^}]*${label}="${value}"[^}]*\\} ([0-9.e+-]+)`).exec(text)?.[1];
    const sum = read('sum');
    const count = read('count');
    if (sum !== undefined && count !== undefined && Number(count) > 0) means[value] = Number(sum) / Number(count);
  }
  return means;
}

/** Rows per batched statement over the run, from the ingress's metrics. */
async function storeBatchSizes(metricsUrl: string): Promise<Record<string, number>> {
  const response = await request(metricsUrl);
  const text = await response.body.text();
  return histogramMeans(text, 'finmesh_ingress_store_batch_size', 'operation', ['insert', 'mark_published']);
}

async function renderReport(figures: {
  fastest: PhaseFigures;
  light: PhaseFigures;
  fixed: PhaseFigures;
  yardstick: PhaseFigures;
  durability: Durability;
  batchSizes: Record<string, number>;
  databaseUrl: string;
  brokers: string[];
  bodyBytes: number;
  loadBefore: number;
}): Promise<string> {
  const client = new Client({ connectionString: figures.databaseUrl });
  await client.connect();
  const postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  await client.end();
  const cpu = cpus();
  const stage = (phase: PhaseFigures, name: string): string => phase.stagesMs[name]?.toFixed(1) ?? '–';
  const row = (phase: PhaseFigures, label: string): string =>
    `| ${label} | ${phase.requestsPerSecond} | ${phase.p50} | ${phase.p90} | ${phase.p99} | ${phase.max} | ${phase.non2xx + phase.errors + phase.timeouts} | ${stage(phase, 'store')} | ${stage(phase, 'publish')} | ${stage(phase, 'mark_published')} | ${phase.cpu.ingress.toFixed(2)} | ${phase.cpu.kafka.toFixed(2)} | ${phase.cpu.postgres.toFixed(2)} | ${phase.cpu.bench.toFixed(2)} | ${phase.cpu.machine.toFixed(2)} | ${phase.load.toFixed(2)} |`;
  const { durability } = figures;
  const meetsTarget = figures.fixed.requestsPerSecond >= TARGET_RATE * 0.98 && figures.fixed.p99 <= 30;
  const perCallback = (share: number, rate: number): string => (rate > 0 ? ((share / rate) * 1e6).toFixed(0) : '?');
  const { fastest } = figures;
  const allCpu = fastest.cpu.ingress + fastest.cpu.kafka + fastest.cpu.postgres + fastest.cpu.bench;
  const capacity = allCpu > 0 ? Math.round(((cpu.length * fastest.requestsPerSecond) / allCpu / 100)) * 100 : 0;
  const loads = [figures.fastest, figures.light, figures.fixed].map((phase) => phase.load);
  return [
    '## Ingress (`npm run bench:ingress`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node.js ${process.version}, PostgreSQL ${postgres} (synchronous_commit on), ` +
      `Apache Kafka (single KRaft node at ${figures.brokers.join(',')}); ingress, broker, database and load generator share the machine, ` +
      `which other work shared too (1-minute load average before the run ${figures.loadBefore.toFixed(2)}, at the end of the ingress phases ` +
      `${loads.map((load) => load.toFixed(2)).join(', ')}: the "load avg" column).`,
    '',
    `Workload: Standard Webhooks requests (${figures.bodyBytes}-byte JSON bodies) pre-signed with unique ` +
      '`webhook-id`s; every 200 means: signature verified, row stored (fsync), event acknowledged by Kafka (acks=all, idempotent ' +
      'producer), row marked published. One ingress process (node ' + (process.env['BENCH_INGRESS_NODE_ARGS'] ?? INGRESS_NODE_FLAGS) + '), LOG_LEVEL=warn (no per-request access log).',
    '',
    '| phase | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx/errors | INSERT ms | Kafka ack ms | mark ms | CPU ingress | CPU Kafka | CPU PostgreSQL | CPU autocannon | CPU machine | load avg |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    row(figures.fastest, `ingress, ${CONNECTIONS} connections, as fast as it goes`),
    row(figures.light, `ingress, ${LIGHT_CONNECTIONS} connections (light load)`),
    row(figures.fixed, `ingress, ${TARGET_RATE} req/s asked (autocannon's per-second pacing)`),
    row(figures.yardstick, `bare Fastify hello-world (GET), ${CONNECTIONS} connections`),
    '',
    'INSERT, Kafka ack and mark are the mean times of the three steps of the durability protocol during the phase ' +
      '(from the ingress’s `intake_stage_seconds` histogram), queueing for a batch slot included. autocannon paces a ' +
      'fixed rate per connection and second (each connection sends its share at the start of every second), so that row ' +
      'measures bursts, not a smooth arrival. ' +
      `CPU columns are CPU-seconds per second during the phase (the machine has ${cpu.length}; "machine" includes everything ` +
      `else running on it). Durability check after the run (warm-up included; requests still in flight when a phase ended are ` +
      `processed but not counted by autocannon): ${durability.acknowledged} requests answered 200, ${durability.publishedRows} rows ` +
      `published, ${durability.pendingRows} pending, ${durability.kafkaMessages} messages in the callback topic. Rows per batched statement: ` +
      `INSERT ${figures.batchSizes['insert']?.toFixed(1) ?? '?'}, published mark ${figures.batchSizes['mark_published']?.toFixed(1) ?? '?'}.`,
    '',
    `Target (≥ ${TARGET_RATE} verified callbacks/s with p99 ≤ 30 ms): ${meetsTarget ? '**met**' : '**not met**'} in this run.`,
    '',
    `CPU per callback at full speed: ingress ${perCallback(fastest.cpu.ingress, fastest.requestsPerSecond)} µs, Kafka broker ` +
      `${perCallback(fastest.cpu.kafka, fastest.requestsPerSecond)} µs, PostgreSQL ${perCallback(fastest.cpu.postgres, fastest.requestsPerSecond)} µs, ` +
      `autocannon ${perCallback(fastest.cpu.bench, fastest.requestsPerSecond)} µs; the hello-world costs ` +
      `${perCallback(figures.yardstick.cpu.ingress, figures.yardstick.requestsPerSecond)} µs of server CPU per request on the same machine.`,
    '',
    '**What limits it.** Two things, on this machine. (1) CPU: every callback costs the ingress the few hundred µs above,',
    `and the broker, PostgreSQL and autocannon more on the same 2 cores: ${perCallback(allCpu, fastest.requestsPerSecond)} µs of CPU per callback`,
    `in all at full speed in this run, so the two cores could carry at most ≈ ${capacity} callbacks/s even if nothing else ran`,
    '(the PostgreSQL column counts every postgres process, other work’s queries included); one Node process also runs its',
    'JavaScript on one core. (2) Latency in the closed loop: a callback waits for three durable steps in a row (the',
    'INSERT’s commit, Kafka’s acks=all acknowledgement, the mark), each batched with the callbacks around it; with 64',
    'connections, req/s ≈ 64 / latency, and when the other work on the machine takes CPU, every step (and the ingress',
    'itself) waits for a core. A CPU profile of the ingress flat out (`BENCH_INGRESS_NODE_ARGS=--cpu-prof`, V8 sampling,',
    '2026-11-22; time in system calls is over-counted by wall-clock sampling) now spreads it over: kafkajs ≈ 20 % (records',
    'encoded into zero-filled Buffers that grow by copying, a JavaScript CRC-32C over every batch, five Kafka headers per',
    'message), the PostgreSQL client ≈ 18 % (mostly writing the multi-row INSERT to the socket; array-literal escaping),',
    'Node’s HTTP parsing and response writing ≈ 15 %, garbage collection ≈ 7 %, the contract check and id ≈ 7 %, building',
    'the event ≈ 6 %, Standard Webhooks verification (HMAC) ≈ 6 %, Fastify and Nest ≈ 3 %, the rest spread thin. What is',
    'left is mostly inside kafkajs, pg and Node’s HTTP server. PostgreSQL spends ≈ 55–60 µs per callback on the INSERT and',
    '≈ 35–45 µs on the mark, an UPDATE that rewrites the whole row and every index entry, because the partial index on',
    '`status = \'pending\'` rules out a HOT update. Next steps: a cheaper Kafka client or encoder, fewer bytes per callback in',
    'PostgreSQL and Kafka, a mark PostgreSQL can do in place (measured on one connection: without the partial index and',
    'with fillfactor 70 the mark cost 31 µs per row instead of 44 — not done, since that index is how an operator finds',
    'the pending callbacks), and — the real one — more cores: the broker, the database and the load',
    'generator on other machines, and replicas of the ingress (each is safe against the others). `INGRESS_WORKERS=2` on',
    'these 2 shared cores was worse (2026-11-22: 612 µs of ingress CPU per callback, 1,409 req/s, against about 300 µs and',
    '2,300 req/s with one worker in the runs around it): the workers compete with the broker and the database, and each',
    'has its own, smaller batches.',
    '',
    '**Changes of 2026-11-22 and what each measured** (CPU time per operation, in-process or from /proc, since the shared',
    'machine made req/s noisy; figures of one change come from runs back to back):',
    '',
    '- `createFastifyAdapter` (service-runtime) hands Nest the workspace’s Fastify 5.12 instance instead of letting',
    '  @nestjs/platform-fastify create its older copy, which read every body through an AsyncResource-bound callback (two',
    '  deprecation wrappers per request) and routed with Nest’s version constraint. A POST route with a raw body, 32',
    '  connections: 134–163 → 49–60 µs of server CPU per request (bare Fastify: 32–45 µs).',
    '- `createStandardWebhookVerifier` (signing) decodes the secrets once and reports which secret matched (no second',
    '  verification for the key label); the header lookup no longer copies the header record: ≈ 11 → 7–8 µs per verification.',
    '- `parseJsonLosslessly` (schemas) reads canonical JSON (what `JSON.stringify` writes) natively, with the same result',
    '  (property-tested against the lossless parser): the parsed body view ≈ 9 → 4.5 µs.',
    '- `validateForProduce` (schemas) checks callback.received with a hand-written equivalent of its schema (a fast-check',
    '  test compares it with zod; anything it is not sure of goes to zod), ids are formatted straight from the hex digest:',
    '  `toKafkaMessage` ≈ 34–37 → 18.5 µs per event (measured before its timestamp check became arithmetic).',
    '- EventPublisher (kafka) `maxConcurrentSends`: the ingress sends one produce request at a time and events arriving',
    '  meanwhile share the next, so the linger could drop from 5 to 1 ms: light load p50 12 → 6 ms and 612 → 1,021 req/s,',
    '  flat out 1,826 → 2,317 req/s (one pair of runs).',
    '- Two published-mark statements in flight instead of one: flat out 1,960 → 2,322 and 2,400 → 3,357 req/s (two pairs).',
    '- The pending INSERT is a named (prepared) statement: PostgreSQL backend CPU per row 65–71 → 55–61 µs (one connection,',
    '  11 rows per statement, from /proc). The mark stays unnamed: as a prepared statement its generic plan for',
    '  `id = ANY($1)` cost 175–197 µs per row instead of 35–38.',
    '- `--max-semi-space-size=32` for the ingress (NODE_OPTIONS in npm start, compose and k8s): fewer young-generation',
    '  collections of the per-request garbage. Flat out, two pairs of runs: 2,495 and 2,600 → 2,827 and 2,903 req/s,',
    '  ingress CPU per callback 344 → 307–310 µs (16 MB measured the same, 64 MB raised p99 by longer collections).',
    '- All of it up to the linger change, the code before (commit e551ce0) against after, back to back (max, then light;',
    '  load average 3.5–4.8):',
    '  ingress CPU per callback flat out 511 and 482 → 421 and 311 µs, at light load 777 and 907 → 529 and 459 µs;',
    '  flat out 1,601 and 1,942 → 1,738 and 2,322 req/s, light load 588 and 287 → 1,021 and 1,138 req/s.',
    '',
  ].join('\n');
}

const SECTION_START = '<!-- bench:ingress:start -->';
const SECTION_END = '<!-- bench:ingress:end -->';

/** Replaces the ingress section of docs/benchmarks.md (other sections are left as they are). */
function writeSection(report: string): void {
  const section = `${SECTION_START}\n${report}\n${SECTION_END}`;
  const existing = existsSync(BENCHMARKS_DOC)
    ? readFileSync(BENCHMARKS_DOC, 'utf8')
    : '# Benchmarks\n\nMeasured by `npm run bench:*` on the machine named in each section; never asserted in tests.\n';
  const start = existing.indexOf(SECTION_START);
  const end = existing.indexOf(SECTION_END);
  const updated =
    start !== -1 && end > start
      ? `${existing.slice(0, start)}${section}${existing.slice(end + SECTION_END.length)}`
      : `${existing.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_DOC, updated);
}

/** KAFKA_BROKERS, or a local broker through tools/kafka's CLI (stopped afterwards if started here). */
async function kafkaBrokers(cleanups: Array<() => Promise<void>>): Promise<string[]> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external.trim() !== '') return external.split(',').map((b) => b.trim());
  const cli = join(WORKSPACE_ROOT, 'tools', 'kafka', 'src', 'cli.ts');
  const env = {
    ...process.env,
    KAFKA_PORT: String(BROKER_PORT),
    KAFKA_DATA_DIR: join(WORKSPACE_ROOT, '.cache', 'kafka', `bench-ingress-broker-${BROKER_PORT}`),
  };
  const alreadyRunning = await portAnswers(BROKER_PORT);
  log(alreadyRunning ? `reusing the Kafka broker on port ${BROKER_PORT}` : `starting a Kafka broker on port ${BROKER_PORT}`);
  execFileSync(process.execPath, [RUN_TS, cli, 'start'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!alreadyRunning) {
    cleanups.push(() => {
      execFileSync(process.execPath, [RUN_TS, cli, 'stop'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
      return Promise.resolve();
    });
  }
  return [`127.0.0.1:${BROKER_PORT}`];
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process for ${url} exited with code ${String(child.exitCode)}`);
    try {
      const response = await request(url);
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
  }
  throw new Error(`${url} did not become ready within 60 s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** utime + stime of a process and its direct children (cluster workers) from /proc, in seconds (Linux). */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const statOf = (id: string): string[] | undefined => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  let seconds = 0;
  for (const id of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const fields = statOf(id);
    // fields[1] is the parent pid; fields[11] and [12] user and system time in clock ticks.
    if (fields !== undefined && (id === String(pid) || fields[1] === String(pid))) {
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    }
  }
  return seconds;
}

const BROKER_DATA_DIR_MARK = `bench-ingress-broker-${BROKER_PORT}`;
const isBenchBroker = (id: string, command: string): boolean =>
  command === 'java' && readCommandLine(id).includes(BROKER_DATA_DIR_MARK);
const isPostgres = (_id: string, command: string): boolean => command === 'postgres';

function readCommandLine(id: string): string {
  try {
    return readFileSync(`/proc/${id}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** CPU seconds of every process the predicate picks (by pid and command name), from /proc (Linux). */
function matchingProcessesCpuSeconds(pick: (id: string, command: string) => boolean): number {
  let seconds = 0;
  for (const id of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!pick(id, command)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return seconds;
}

/** Busy CPU time of the whole machine from /proc/stat, in seconds (Linux). */
function machineBusySeconds(): number {
  try {
    const [cpuLine] = readFileSync('/proc/stat', 'utf8').split('\n');
    const values = (cpuLine ?? '').trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return (values.reduce((sum, value) => sum + value, 0) - idle) / 100;
  } catch {
    return 0;
  }
}

main().catch((error: unknown) => {
  console.error(`[bench:ingress] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
