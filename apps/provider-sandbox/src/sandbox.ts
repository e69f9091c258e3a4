import fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin/routes';
import type { ProviderModule, ProviderSnapshot, SandboxContext } from './context';
import { CallbackDispatcher, type CallbacksSnapshot } from './core/callbacks';
import { SandboxClock, type ClockSnapshot } from './core/clock';
import { FaultRegistry } from './core/faults';
import type { GroundTruthAccount, GroundTruthQuery } from './core/ground-truth';
import type { ProviderId } from './core/providers';
import { Random, type RandomPosition } from './core/random';
import { readStateFile, writeStateFile } from './core/state-file';
import { iso, MINUTE } from './core/time';
import { createFindigiProvider } from './findigi';
import { createFinxProvider } from './finx';
import { createIndexoProvider } from './indexo';
import { createIndodaxProvider } from './indodax';
import { createIndxProvider } from './indx';
import { serializeJson } from './http/json';
import { acceptRawBodies } from './http/raw-body';
import { resolveOptions, type ResolvedOptions, type SandboxOptions } from './options';

export interface Sandbox {
  readonly app: FastifyInstance;
  readonly options: ResolvedOptions;
  readonly context: SandboxContext;
  /** Set when the sandbox resumed from its state file. */
  readonly resumed: ResumeInfo | undefined;
  groundTruth(provider: ProviderId, query?: Partial<GroundTruthQuery>): GroundTruthAccount[];
  /** Writes the state file now (it is also written periodically and at close); needs `stateFile`. */
  saveState(): void;
  close(): Promise<void>;
}

export interface ResumeInfo {
  /** Wall-clock time of the save it resumed from. */
  savedAt: string;
  /** Sandbox-clock time it resumed at, before any catch-up. */
  clock: string;
  /** How far the clock moved on for the time the sandbox was down (realtime mode). */
  caughtUpMs: number;
}

/** Everything a restart needs, as saved in the state file. */
interface SandboxState {
  clock: ClockSnapshot;
  random: Map<string, RandomPosition>;
  callbacks: CallbacksSnapshot;
  providers: Map<ProviderId, ProviderSnapshot>;
}

export interface RunningSandbox extends Sandbox {
  /** `http://host:port` */
  readonly url: string;
  /** The base URL to configure in each provider's connector. */
  readonly baseUrls: Record<ProviderId, string>;
}

export interface ListenOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds a seeded sandbox without listening; use `app.inject` to call it. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = resolveOptions(options);
  // Read first: a file that does not fit stops the start before any work.
  const saved = resolved.stateFile === undefined ? undefined : readStateFile(resolved.stateFile, { seed: resolved.seed, size: resolved.size });
  const clock = new SandboxClock(resolved.startTime);
  const faults = new FaultRegistry(resolved.seed);
  const app = fastify({
    logger: resolved.logLevel === false ? false : { level: resolved.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const callbacks = new CallbackDispatcher({
    clock,
    faults,
    timeoutMs: resolved.callbackTimeoutMs,
    ...(resolved.callbackRetryScheduleMs === undefined ? {} : { retryScheduleMs: resolved.callbackRetryScheduleMs }),
    onError: (delivery, attempt) =>
      app.log.warn({ callback: delivery.id, provider: delivery.provider, url: delivery.url, attempt }, 'callback not delivered'),
  });
  const context: SandboxContext = { options: resolved, clock, random: new Random(resolved.seed), faults, callbacks };

  const providers: ProviderModule[] = [
    createIndxProvider(context),
    createIndexoProvider(context),
    createIndodaxProvider(context),
    createFindigiProvider(context),
    createFinxProvider(context),
  ];

  app.setReplySerializer((payload) => serializeJson(payload));
  acceptRawBodies(app);
  app.get('/health/live', () => ({ status: 'ok' }));
  app.get('/health/ready', () => ({ status: 'ready', clock: clock.status }));
  await app.register(adminRoutes(context, providers), { prefix: '/_admin' });
  for (const provider of providers) {
    await app.register(provider.routes, { prefix: resolved.basePaths[provider.id] });
  }
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no sandbox route ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) request.log.error({ err: error }, 'unexpected error');
    return reply
      .code(clientError ? status : 500)
      .send({ error: clientError ? 'bad_request' : 'internal_error', message: clientError && error instanceof Error ? error.message : 'unexpected error' });
  });
  const saveState = (): void => {
    if (resolved.stateFile === undefined) throw new Error('the sandbox was started without a state file');
    const state: SandboxState = {
      clock: clock.snapshot(),
      random: context.random.positions(),
      callbacks: callbacks.snapshot(),
      providers: new Map(providers.flatMap((provider) => (provider.snapshot ? [[provider.id, provider.snapshot()] as const] : []))),
    };
    writeStateFile(resolved.stateFile, { seed: resolved.seed, size: resolved.size, savedAt: new Date(resolved.wallClock()).toISOString(), clock: iso(clock.now()) }, state);
  };
  let saveTimer: NodeJS.Timeout | undefined;
  // What changes state: clock tasks, requests that are not reads, callback attempts — and the
  // clock itself, saved at least once a clock minute, so a sandbox restarted after a crash
  // resumes at most that much behind the time connectors saw.
  let writes = 0;
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') writes += 1;
    done();
  });
  const changeMark = (): string => `${clock.tasksRun}/${writes}/${callbacks.changes}/${Math.floor(clock.now() / MINUTE)}`;
  app.addHook('onClose', async () => {
    clock.stop();
    if (saveTimer) clearTimeout(saveTimer);
    await callbacks.close();
    // After the callbacks settled: what is still undelivered is saved as pending and sent after the restart.
    if (resolved.stateFile !== undefined) saveState();
  });
  await app.ready();

  // Restored once every provider and route exists, so every task kind and random stream is known.
  const resumed = saved === undefined ? undefined : restoreState(saved.header.savedAt, saved.state as SandboxState);
  function restoreState(savedAt: string, state: SandboxState): ResumeInfo {
    clock.restore(state.clock);
    context.random.restorePositions(state.random);
    for (const provider of providers) {
      const providerState = state.providers.get(provider.id);
      if (providerState !== undefined && provider.restore) provider.restore(providerState);
    }
    callbacks.restore(state.callbacks);
    const resumedAt = iso(clock.now());
    // Realtime: the outside world went on while the sandbox was down, so its due tasks (payments
    // settling, retries) run now, for at most resumeCatchUpLimitMs; live activity starts afterwards.
    const downtimeMs = Math.max(0, resolved.wallClock() - Date.parse(savedAt));
    const caughtUpMs = resolved.clockMode === 'realtime' ? Math.min(Math.floor(downtimeMs * resolved.clockSpeed), resolved.resumeCatchUpLimitMs) : 0;
    clock.advance(caughtUpMs);
    return { savedAt, clock: resumedAt, caughtUpMs };
  }

  if (resolved.liveActivity) for (const provider of providers) provider.startLiveActivity();
  clock.setMode(resolved.clockMode, resolved.clockSpeed);
  if (resolved.stateFile !== undefined) {
    let savedMark = changeMark();
    const saveIfChanged = (): void => {
      let durationMs = 0;
      const mark = changeMark();
      if (mark !== savedMark) {
        const started = Date.now();
        try {
          saveState();
          savedMark = mark;
        } catch (error: unknown) {
          app.log.error({ err: error, stateFile: resolved.stateFile }, 'could not save the sandbox state');
        }
        durationMs = Date.now() - started;
      }
      // A save blocks the event loop (a large sandbox takes seconds): keep it under a tenth of the time.
      saveTimer = setTimeout(saveIfChanged, Math.max(resolved.stateSaveIntervalMs, 10 * durationMs));
      saveTimer.unref();
    };
    saveTimer = setTimeout(saveIfChanged, resolved.stateSaveIntervalMs);
    saveTimer.unref();
  }

  return {
    app,
    options: resolved,
    context,
    resumed,
    saveState,
    groundTruth: (provider, query = {}) => {
      const module = providers.find((candidate) => candidate.id === provider);
      if (!module) throw new Error(`unknown provider ${provider}`);
      return module.groundTruth({ includeTransactions: query.includeTransactions ?? true, ...query });
    },
    close: () => app.close(),
  };
}

/** Builds a sandbox and listens; the answer carries the URL to give connectors. */
export async function startSandbox(options: SandboxOptions & ListenOptions = {}): Promise<RunningSandbox> {
  const sandbox = await createSandbox(options);
  const host = options.host ?? '127.0.0.1';
  await sandbox.app.listen({ host, port: options.port ?? 0 });
  const address = sandbox.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the sandbox is not listening on a TCP port');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  const baseUrls = Object.fromEntries(
    Object.entries(sandbox.options.basePaths).map(([provider, path]) => [provider, `${url}${path}`]),
  ) as Record<ProviderId, string>;
  return { ...sandbox, url, baseUrls };
}
