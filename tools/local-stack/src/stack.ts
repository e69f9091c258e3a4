import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseBrokerList } from '@finmesh/kafka';
import { redactDatabaseUrl, withDatabase } from '@finmesh/persistence';
import { PROVIDERS } from '@finmesh/schemas';
import { ensureBroker, stopBroker } from '@finmesh/tools-kafka';
import type { StackOptions } from './cli-options';
import { describeOutcome, renderView, type ViewContext } from './live-view';
import { probeHealth, StackMonitor, type StackSnapshot } from './monitor';
import { ensurePostgres, stringEnv } from './postgres/postgres-server';
import { ManagedProcess, stopLeftover } from './processes';
import { provisionRegistryTopics, provisionServiceDatabase } from './provision/provision';
import { runScenario, SCENARIO, type StepOutcome } from './scenario';
import { SERVICES, startOrder, type LocalSecrets, type RunningStack, type ServiceDefinition, type StackContext } from './service-registry';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const SANDBOX_CLOCK_LAG_MS = 30 * 60_000;

/** Kept in `<state-dir>/local.json`: generated once, so a second run resumes with the same values. */
interface LocalState {
  secrets: LocalSecrets;
  embeddedPostgresPassword: string;
  sandbox: { seed: string; startTime: string };
}

export interface StackSummary {
  event: 'finmesh.summary';
  ok: boolean;
  services: Array<{ app: string; state: string; url: string }>;
  scenario: Array<{ id: string; status: StepOutcome['status']; detail: string }>;
  topics: StackSnapshot['topics'];
  balances: { allEqual: boolean; providers: NonNullable<StackSnapshot['reconciliation']>['providers'] } | undefined;
  openDiscrepancies: number | undefined;
  notAvailable: string[];
}

/**
 * `npm start`: Kafka, PostgreSQL, topics, databases and migrations, then the provider sandbox and
 * every service of the registry configured against it, a live view while it runs, and a clean
 * stop on Ctrl-C. Returns the process exit code.
 */
export async function runStack(options: StackOptions, print: (text: string) => void = (text) => console.log(text)): Promise<number> {
  const started = Date.now();
  const log = (line: string): void => print(`[finmesh +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const unknown = options.without.filter((app) => !SERVICES.some((service) => service.app === app));
  if (unknown.length > 0) throw new Error(`--without names apps that are not in the registry: ${unknown.join(', ')}`);
  const services = SERVICES.filter((service) => !options.without.includes(service.app));
  mkdirSync(options.stateDir, { recursive: true });
  const resumed = existsSync(join(options.stateDir, 'local.json'));
  const sandboxStateFile = join(options.stateDir, 'sandbox', 'state.bin');
  mkdirSync(dirname(sandboxStateFile), { recursive: true });
  const sandboxResumes = existsSync(sandboxStateFile);
  const state = loadState(options.stateDir);
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;
  let interrupted: () => void = () => undefined;
  const interruption = new Promise<void>((resolveInterrupt) => (interrupted = resolveInterrupt));
  const onSignal = (): void => {
    if (stopping) {
      log('second interrupt: leaving now; `npm start` stops leftovers on its next run');
      process.exit(130);
    }
    stopping = true;
    interrupted();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const kafkaDir = join(options.stateDir, 'kafka');
    const broker = await ensureBroker({ port: options.kafkaPort, dataDir: kafkaDir, log });
    if (broker.startedHere) cleanups.push(async () => void (await stopBroker({ port: options.kafkaPort, dataDir: kafkaDir, log })));
    const postgres = await ensurePostgres({
      stateDir: options.stateDir,
      embeddedPort: options.embeddedPostgresPort,
      embeddedPassword: state.embeddedPostgresPassword,
      log,
    });
    cleanups.push(() => postgres.stop());
    log(`postgres: ${postgres.source} at ${redactDatabaseUrl(postgres.adminUrl)}`);

    const brokers = parseBrokerList(broker.brokers);
    await provisionRegistryTopics({ brokers, topicPrefix: options.topicPrefix, replicationFactor: 1, log });
    const databaseUrl = (app: string): string => {
      const name = services.find((service) => service.app === app)?.database?.name ?? app.replace(/-/g, '_');
      return withDatabase(postgres.adminUrl, `${options.databasePrefix}${name}`);
    };
    for (const service of services) {
      await provisionServiceDatabase(service, databaseUrl(service.app), { createDatabase: true, log });
    }
    const kafkaLabel = `${broker.brokers}${broker.external ? ' (KAFKA_BROKERS)' : ` (data in ${kafkaDir})`}`;
    const postgresLabel = `${redactDatabaseUrl(postgres.adminUrl)} (${postgres.source})`;
    if (options.mode === 'provision') {
      print(`\nfinmesh provisioned\n  Kafka       ${kafkaLabel}\n  PostgreSQL  ${postgresLabel}\n  databases   ${SERVICES.filter((s) => s.database).map((s) => databaseUrl(s.app).replace(/^.*\//, '')).join(', ')}\n`);
      return 0;
    }

    const ports = await assignPorts(services, options.ports);
    const context: StackContext = {
      kafkaBrokers: broker.brokers,
      topicPrefix: options.topicPrefix,
      logLevel: options.logLevel,
      databaseUrl,
      port: (app) => ports.get(app)?.port ?? failNoPort(app),
      adminPort: (app) => ports.get(app)?.adminPort,
      url: (app) => `http://127.0.0.1:${ports.get(app)?.port ?? failNoPort(app)}`,
      inStack: (app) => ports.has(app),
      secrets: state.secrets,
      sandbox: { seed: state.sandbox.seed, size: options.sandboxSize, startTime: state.sandbox.startTime, liveActivity: options.liveActivity, stateFile: sandboxStateFile },
      facts: {},
    };
    const runningStack: RunningStack = { url: context.url, sandboxAdminToken: state.secrets.sandboxAdminToken, secrets: state.secrets, log };

    const running: ManagedProcess[] = [];
    cleanups.push(async () => {
      for (const child of [...running].reverse()) {
        log(`stopping ${child.name}`);
        await child.stop();
      }
    });
    const startDeadline = Date.now() + options.timeoutMs;
    /** Services that exited or never became ready; the others go on, and the view and summary say so. */
    const failedToStart = new Map<string, string>();
    const launch = async (services: readonly ServiceDefinition[]): Promise<void> => {
      const started: ManagedProcess[] = [];
      for (const service of services) {
        const leftover = await stopLeftover(join(options.stateDir, 'run'), service.app);
        if (leftover !== undefined) log(`${service.app}: stopped what a previous run left (pid ${leftover})`);
        const child = startService(service, context, options.stateDir);
        running.push(child);
        started.push(child);
        log(`${service.app}: starting on ${context.url(service.app)} (log: ${child.logFile})`);
      }
      const failures = await Promise.race([waitUntilReady(started, context, startDeadline), interruption.then(() => new Map<string, string>())]);
      for (const [app, reason] of failures) {
        failedToStart.set(app, reason);
        print(`[finmesh] ${app} FAILED TO START — ${reason}`);
      }
    };
    // The sandbox first: some services are configured from what it serves (prepareLocal).
    const ordered = startOrder(services);
    await launch(ordered.filter((service) => service.role === 'sandbox'));
    if (stopping) return 130;
    const sandboxFailure = failedToStart.get('provider-sandbox');
    if (sandboxFailure !== undefined) throw new Error(`the provider sandbox did not start: ${sandboxFailure}`);
    for (const service of ordered) {
      if (service.prepareLocal !== undefined) Object.assign(context.facts, await service.prepareLocal(runningStack));
    }
    await launch(ordered.filter((service) => service.role !== 'sandbox'));
    if (stopping) return 130;
    log(failedToStart.size === 0 ? 'every service is ready' : `ready, except ${[...failedToStart.keys()].join(', ')}`);
    for (const service of ordered) {
      if (service.afterReady === undefined || failedToStart.has(service.app)) continue;
      const done = await service.afterReady(runningStack).catch((error: unknown) => `WARNING, its setup after start failed: ${error instanceof Error ? error.message : String(error)}`);
      log(`${service.app}: ${done}`);
    }

    const connectedProviders = new Set<string>(PROVIDERS.filter((provider) => context.inStack(`connector-${provider}`)));
    const monitor = new StackMonitor(brokers, options.topicPrefix, {
      services: services.map((service) => ({ app: service.app, url: context.url(service.app) })),
      ledgerUrl: context.inStack('ledger') ? context.url('ledger') : undefined,
      sandbox: context.inStack('provider-sandbox') ? { url: context.url('provider-sandbox'), adminToken: state.secrets.sandboxAdminToken } : undefined,
      connectedProviders,
      inScope: (account) => services.find((service) => service.app === `connector-${account.provider}`)?.inScope?.(account, context.facts) ?? true,
    });
    cleanups.push(() => monitor.close());
    const notAvailable = PROVIDERS.map((provider) => `connector-${provider}`).filter((app) => !SERVICES.some((service) => service.app === app));
    const viewContext: ViewContext = {
      kafka: kafkaLabel,
      postgres: postgresLabel,
      urls: apiUrls(services, context),
      notices: [
        ...notAvailable.map((app) => `${app.padEnd(18)} not available yet (not in apps/)`),
        ...options.without.map((app) => `${app.padEnd(18)} not started (--without)`),
        ...[...failedToStart.keys()].map((app) => `${app.padEnd(18)} FAILED TO START (log: ${join(options.stateDir, 'logs', `${app}.log`)})`),
        ...(resumed
          ? [
              context.inStack('provider-sandbox') && sandboxResumes
                ? `resumed: topics, databases and the providers' state (${sandboxStateFile}) hold earlier runs`
                : 'resumed: topics and databases hold earlier runs (the sandbox had no saved state: it starts from its seed)',
              `to start from scratch: Ctrl-C, delete ${options.stateDir} (and drop the ${options.databasePrefix}* databases if they are on a shared server), npm start`,
            ]
          : []),
      ],
      scenario: [],
      maxAccounts: 12,
      footer: options.mode === 'interactive' ? 'Ctrl-C stops everything (data stays in the state dir; the next npm start resumes on it)' : '',
    };
    const outcomes: StepOutcome[] = [];
    let latest = await monitor.sample();

    const scenarioDone = options.scenario
      ? runScenario(
          SCENARIO,
          new Set(services.map((service) => service.app).filter((app) => !failedToStart.has(app))),
          {
            sandboxUrl: context.url('provider-sandbox'),
            serviceUrl: context.url,
            sandboxAdminToken: state.secrets.sandboxAdminToken,
            topicTotals: async () => {
              const totals = await monitor.offsets();
              return new Map([...totals].map(([topic, total]) => [topic.slice(options.topicPrefix.length), total]));
            },
            reconciliation: async () => (await monitor.compare()).reconciliation,
            openDiscrepancies: async () => (await monitor.compare()).openDiscrepancies,
            connectedProviders: [...connectedProviders].filter((provider) => !failedToStart.has(`connector-${provider}`)),
            stepTimeoutMs: options.timeoutMs,
            facts: context.facts,
            secrets: state.secrets,
            log: options.mode === 'headless' ? log : () => undefined,
          },
          (outcome) => {
            outcomes.push(outcome);
            if (options.mode === 'headless') log(`scenario: ${describeOutcome(outcome)}`);
          },
          failedToStart,
        )
      : Promise.resolve([]);

    if (options.mode === 'headless') {
      await Promise.race([scenarioDone, interruption]);
      latest = await monitor.sample();
      const view = renderView(latest, { ...viewContext, scenario: outcomes, maxAccounts: 30 });
      print(`\n${view}`);
      const summary = summarize(latest, outcomes, notAvailable, failedToStart);
      print(JSON.stringify(summary));
      return summary.ok ? 0 : 1;
    }

    const tty = process.stdout.isTTY;
    let lastPrinted = 0;
    while (!stopping) {
      latest = await monitor.sample();
      // As many balance rows as the terminal has room for below the rest of the view.
      const fixedLines = renderView(latest, { ...viewContext, scenario: outcomes, maxAccounts: 0 }).split('\n').length;
      const maxAccounts = Math.max(3, (process.stdout.rows || 60) - fixedLines - 1);
      const view = renderView(latest, { ...viewContext, scenario: outcomes, maxAccounts });
      if (tty) print(`\x1b[2J\x1b[H${view}`);
      else if (Date.now() - lastPrinted >= 10_000) {
        print(view);
        lastPrinted = Date.now();
      }
      await Promise.race([new Promise((resolveTick) => setTimeout(resolveTick, 1_000)), interruption]);
    }
    await Promise.race([scenarioDone, Promise.resolve()]);
    return 0;
  } finally {
    if (!stopping) stopping = true;
    log('stopping');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`while stopping: ${error instanceof Error ? error.message : String(error)}`));
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('stopped');
  }
}

function startService(service: ServiceDefinition, context: StackContext, stateDir: string): ManagedProcess {
  const env = { ...stringEnv(process.env), ...service.localEnv(context) };
  return ManagedProcess.start({
    name: service.app,
    command: process.execPath,
    args: [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', service.app, 'src', 'main.ts')],
    cwd: WORKSPACE_ROOT,
    env,
    logDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
  });
}

/** Waits for every process to answer ready; returns the ones that exited or never did, with why. */
async function waitUntilReady(running: readonly ManagedProcess[], context: StackContext, deadline: number): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  await Promise.all(
    running.map(async (child) => {
      for (;;) {
        if (!child.running) {
          failures.set(child.name, `exited (code ${String(await child.waitForExit())}); see ${child.logFile}:\n${child.tail(12)}`);
          return;
        }
        const health = await probeHealth(child.name, context.url(child.name));
        if (health.state === 'ready') return;
        if (Date.now() > deadline) {
          failures.set(child.name, `not ready in time (${health.state}${health.detail === undefined ? '' : `: ${health.detail}`}); see ${child.logFile}`);
          return;
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      }
    }),
  );
  return failures;
}

/** One line per service: its base URL and the paths worth knowing. */
function apiUrls(services: readonly ServiceDefinition[], context: StackContext): Array<{ label: string; url: string }> {
  return services.map((service) => {
    const adminPort = context.adminPort(service.app);
    const paths = service.apis.map((api) => (api.admin === true && adminPort !== undefined ? `admin :${adminPort}${api.path}` : api.path));
    if (service.role !== 'sandbox') paths.push('/metrics');
    return { label: service.app, url: `${context.url(service.app)}  ${paths.join('  ')}` };
  });
}

function summarize(snapshot: StackSnapshot, outcomes: readonly StepOutcome[], notAvailable: string[], failedToStart: ReadonlyMap<string, string>): StackSummary {
  const services = snapshot.services.map((service) => ({
    app: service.app,
    state: failedToStart.has(service.app) ? 'failed to start' : service.state,
    url: service.url,
  }));
  return {
    event: 'finmesh.summary',
    ok: services.every((service) => service.state === 'ready') && outcomes.every((outcome) => outcome.status !== 'failed'),
    services,
    scenario: outcomes.map((outcome) => ({ id: outcome.step.id, status: outcome.status, detail: outcome.detail })),
    topics: snapshot.topics,
    balances:
      snapshot.reconciliation === undefined
        ? undefined
        : { allEqual: snapshot.reconciliation.allEqual, providers: snapshot.reconciliation.providers },
    openDiscrepancies: snapshot.openDiscrepancies,
    notAvailable,
  };
}

async function assignPorts(services: readonly ServiceDefinition[], mode: StackOptions['ports']): Promise<Map<string, { port: number; adminPort?: number }>> {
  const ports = new Map<string, { port: number; adminPort?: number }>();
  for (const service of services) {
    if (mode === 'registry') {
      ports.set(service.app, { port: service.port, ...(service.adminPort === undefined ? {} : { adminPort: service.adminPort }) });
    } else {
      ports.set(service.app, { port: await freePort(), ...(service.adminPort === undefined ? {} : { adminPort: await freePort() }) });
    }
  }
  return ports;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

function failNoPort(app: string): never {
  throw new Error(`${app} is not part of this stack`);
}

function loadState(stateDir: string): LocalState {
  const file = join(stateDir, 'local.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalState>) : {};
  const token = (bytes: number): string => randomBytes(bytes).toString('base64url');
  // Values missing from an older state file are generated; those present are kept (same data, same credentials).
  const state: LocalState = {
    secrets: {
      sandboxAdminToken: token(24),
      ingressAdminToken: token(32),
      findigiCallbackToken: token(24),
      indexoNotificationToken: token(32),
      indxApiKey: `indx-${token(12)}`,
      indxApiSecret: token(32),
      indexoSubscriptionKey: randomBytes(16).toString('hex'),
      indexoClientCertificate: saved.secrets?.indexoClientCertificate ?? selfSignedCertificate(),
      indodaxApiKey: `LOCAL-${randomBytes(12).toString('hex').toUpperCase()}`,
      indodaxSecretKey: randomBytes(40).toString('hex'),
      finxToken: token(24),
      findigiPassword: token(18),
      findigiTwoFactorCode: String(100_000 + (randomBytes(4).readUInt32BE(0) % 900_000)),
      ...saved.secrets,
    },
    embeddedPostgresPassword: saved.embeddedPostgresPassword ?? token(18),
    // The sandbox clock starts half an hour behind the wall clock (and stays behind on later runs), so the
    // scenario can fast-forward provider time (SCA, settlement) without dating entries after the connectors' now.
    sandbox: saved.sandbox ?? { seed: 'finmesh', startTime: new Date(Math.floor(Date.now() / 1000) * 1000 - SANDBOX_CLOCK_LAG_MS).toISOString() },
  };
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** A throw-away X.509 certificate for INDEXO's x-clientcert (the sandbox checks validity, not the issuer). */
function selfSignedCertificate(): string {
  try {
    return execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=finmesh local TPP', '-days', '825'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error: unknown) {
    throw new Error(`could not create a local certificate for INDEXO with openssl: ${error instanceof Error ? error.message : String(error)}`);
  }
}
