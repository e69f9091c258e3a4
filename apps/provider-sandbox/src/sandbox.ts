import fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin/routes';
import type { ProviderModule, SandboxContext } from './context';
import { CallbackDispatcher } from './core/callbacks';
import { SandboxClock } from './core/clock';
import { FaultRegistry } from './core/faults';
import type { GroundTruthAccount, GroundTruthQuery } from './core/ground-truth';
import type { ProviderId } from './core/providers';
import { Random } from './core/random';
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
  groundTruth(provider: ProviderId, query?: Partial<GroundTruthQuery>): GroundTruthAccount[];
  close(): Promise<void>;
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
  app.addHook('onClose', async () => {
    clock.stop();
    await callbacks.close();
  });
  await app.ready();

  if (resolved.liveActivity) for (const provider of providers) provider.startLiveActivity();
  clock.setMode(resolved.clockMode, resolved.clockSpeed);

  return {
    app,
    options: resolved,
    context,
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
