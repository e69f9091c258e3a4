/**
 * The one list of finmesh's runnable apps, read by `npm start`, the provisioning job and the
 * deployment checks (docker-compose.yml, k8s/). When a service lands in apps/, it gets an entry
 * here (or a line in EXCLUDED_APPS saying why not); a test fails until it does.
 */

export const HEALTH_LIVE_PATH = '/health/live';
export const HEALTH_READY_PATH = '/health/ready';
/** The ingress's V8 flags: a larger young generation, fewer scavenges per callback (docs/benchmarks.md). */
export const INGRESS_NODE_OPTIONS = '--max-semi-space-size=32';

export type ServiceRole = 'sandbox' | 'ledger' | 'ingress' | 'connector';

/** Who may reach a service's HTTP port in a deployment. */
export type Exposure =
  /** The providers' callbacks come in here: the only door from outside. */
  | 'public'
  /** Read APIs for operators and downstream services, inside the cluster / published by compose. */
  | 'read-api'
  /** Health and metrics only. */
  | 'internal';

/** One exported list of migration classes. */
export interface MigrationModule {
  /** Module path from the workspace root, without extension (resolves to .ts in dev, .js in dist/). */
  module: string;
  /** The module's export holding the migration classes, in order. */
  exportName: string;
}

/** Where a service's TypeORM migrations live, so one job can apply them before the service starts. */
export interface MigrationSource {
  /** Applied in this order, as the service itself lists them. */
  modules: readonly MigrationModule[];
  /** The service's migration history table (the service itself uses the same one). */
  table: string;
}

export interface ServiceApi {
  label: string;
  path: string;
  /** Served on the admin listener instead of the main port. */
  admin?: boolean;
}

/** What a service's local environment is computed from (npm start). */
export interface StackContext {
  kafkaBrokers: string;
  topicPrefix: string;
  logLevel: string;
  /** The service's own database on the stack's PostgreSQL server. */
  databaseUrl(app: string): string;
  port(app: string): number;
  adminPort(app: string): number | undefined;
  /** `http://127.0.0.1:<port>` of another service of the stack. */
  url(app: string): string;
  /** Whether the app is part of this stack (started by it). */
  inStack(app: string): boolean;
  secrets: LocalSecrets;
  /** stateFile: where the sandbox keeps its state between runs (so a restart resumes, not reseeds). */
  sandbox: { seed: string; size: string; startTime: string; liveActivity: boolean; stateFile: string };
  /** Facts read from the running sandbox before the services start (prepareLocal). */
  facts: Record<string, string>;
}

/** Generated once per machine (kept in .finmesh/), never the same as a deployment's. */
export interface LocalSecrets {
  sandboxAdminToken: string;
  ingressAdminToken: string;
  findigiCallbackToken: string;
  indexoNotificationToken: string;
  indxApiKey: string;
  indxApiSecret: string;
  indexoSubscriptionKey: string;
  /** A self-signed certificate (PEM) sent as INDEXO's x-clientcert; the sandbox accepts any valid one. */
  indexoClientCertificate: string;
  indodaxApiKey: string;
  indodaxSecretKey: string;
  finxToken: string;
  /** Password and fixed 2FA code of the sandbox's FinDIGI users (the connector logs in as the maker). */
  findigiPassword: string;
  findigiTwoFactorCode: string;
}

/** What a service's hooks may use of the running stack. */
export interface RunningStack {
  url(app: string): string;
  sandboxAdminToken: string;
  secrets: LocalSecrets;
  log(line: string): void;
}

export interface ServiceDefinition {
  /** Folder under apps/, also the service's name in docker-compose.yml and k8s/. */
  app: string;
  role: ServiceRole;
  summary: string;
  /** Port of `npm start` and the container port in compose and Kubernetes. */
  port: number;
  /** A second listener (the ingress's admin API), never published. */
  adminPort?: number;
  exposure: Exposure;
  /** Environment variables the service refuses to start without (checked against the app itself). */
  requiredEnv: readonly string[];
  /** Variables holding secrets: a Kubernetes Secret / the .env file, never a ConfigMap. */
  secretEnv: readonly string[];
  /** The service's own database and its migrations; undefined for stateless services. */
  database?: { name: string; migrations: MigrationSource };
  /** Apps that must be healthy before this one starts. */
  startAfter: readonly string[];
  apis: readonly ServiceApi[];
  /** Environment under `npm start`. */
  localEnv(context: StackContext): Record<string, string>;
  /** Reads what the service's local environment needs from the running sandbox (into StackContext.facts). */
  prepareLocal?(stack: RunningStack): Promise<Record<string, string>>;
  /** Runs once the service is ready under `npm start` (an INDEXO consent…); returns what it did. */
  afterReady?(stack: RunningStack): Promise<string>;
  /** For a connector: whether a sandbox account is one finmesh can see (INDEXO: the consenting PSU's). */
  inScope?(account: { references?: Record<string, string> }, facts: Readonly<Record<string, string>>): boolean;
}

/** Kafka and PostgreSQL settings every finmesh NestJS service reads (libs/service-runtime). */
function runtimeEnv(app: string, context: StackContext): Record<string, string> {
  return {
    KAFKA_BROKERS: context.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: context.topicPrefix,
    KAFKA_PROVISION_TOPICS: 'false',
    DATABASE_URL: context.databaseUrl(app),
    HOST: '127.0.0.1',
    PORT: String(context.port(app)),
    LOG_LEVEL: context.logLevel,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}

interface ConnectorSpec {
  provider: string;
  port: number;
  summary: string;
  /** Beyond KAFKA_BROKERS and DATABASE_URL. */
  requiredEnv: readonly string[];
  /** Beyond DATABASE_URL. */
  secretEnv: readonly string[];
  /** The connector's own migrations, applied after connector-kit's. */
  ownMigrations: MigrationModule | undefined;
  providerEnv(context: StackContext): Record<string, string>;
  prepareLocal?: ServiceDefinition['prepareLocal'];
  afterReady?: ServiceDefinition['afterReady'];
  inScope?: ServiceDefinition['inScope'];
}

/** A connector built on libs/connector-kit: its shared settings, database and API, plus the provider's own. */
function connector(spec: ConnectorSpec): ServiceDefinition {
  const app = `connector-${spec.provider}`;
  return {
    app,
    role: 'connector',
    summary: spec.summary,
    port: spec.port,
    exposure: 'internal',
    requiredEnv: ['KAFKA_BROKERS', 'DATABASE_URL', ...spec.requiredEnv],
    secretEnv: ['DATABASE_URL', ...spec.secretEnv],
    database: {
      name: app.replace(/-/g, '_'),
      migrations: {
        modules: [
          { module: 'libs/connector-kit/src/persistence/migrations', exportName: 'CONNECTOR_KIT_MIGRATIONS' },
          ...(spec.ownMigrations === undefined ? [] : [spec.ownMigrations]),
        ],
        table: `${app.replace(/-/g, '_')}_migrations`,
      },
    },
    startAfter: ['provider-sandbox'],
    apis: [
      { label: 'sync status', path: '/v1/sync' },
      { label: 'payments', path: '/v1/payments' },
    ],
    localEnv: (context) => ({
      ...runtimeEnv(app, context),
      CONNECTOR_RUN_MIGRATIONS: 'false',
      CALLBACKS_CONSUMER_GROUP: `${context.topicPrefix}finmesh-${app}-callbacks`,
      // Short intervals, so a newcomer sees provider changes reach the ledger within seconds.
      SYNC_INTERVAL_MS: '10000',
      PAYMENTS_POLL_INTERVAL_MS: '2000',
      ...spec.providerEnv(context),
    }),
    ...(spec.prepareLocal === undefined ? {} : { prepareLocal: spec.prepareLocal }),
    ...(spec.afterReady === undefined ? {} : { afterReady: spec.afterReady }),
    ...(spec.inScope === undefined ? {} : { inScope: spec.inScope }),
  };
}

interface SandboxAccount {
  accountId: string;
  references: Record<string, string>;
}

async function fetchGroundTruth(stack: RunningStack, provider: string): Promise<SandboxAccount[]> {
  const truth = await requestJson<{ providers: Record<string, SandboxAccount[] | undefined> }>(
    'GET',
    `${stack.url('provider-sandbox')}/_admin/ground-truth?provider=${provider}&transactions=false`,
    undefined,
    { authorization: `Bearer ${stack.sandboxAdminToken}` },
  );
  return truth.providers[provider] ?? [];
}

export async function requestJson<T>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url.replace(/\?.*$/, '')}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export const SERVICES: readonly ServiceDefinition[] = [
  {
    app: 'provider-sandbox',
    role: 'sandbox',
    summary: 'the five providers (INDX, INDEXO, Indodax, FinDIGI, Fin X) with ground truth and an admin API',
    port: 4010,
    exposure: 'internal',
    requiredEnv: [],
    secretEnv: [
      'SANDBOX_ADMIN_TOKEN',
      'SANDBOX_FINDIGI_CALLBACK_TOKEN',
      'SANDBOX_INDX_API_SECRET',
      'SANDBOX_INDEXO_SUBSCRIPTION_KEY',
      'SANDBOX_INDODAX_SECRET_KEY',
      'SANDBOX_FINX_TOKEN',
      'SANDBOX_FINDIGI_PASSWORD',
      'SANDBOX_FINDIGI_2FA_CODE',
    ],
    startAfter: [],
    apis: [
      { label: 'provider base URLs', path: '/indx /indexo /indodax /findigi /finx' },
      { label: 'ground truth', path: '/_admin/ground-truth' },
    ],
    localEnv: (context) => ({
      HOST: '127.0.0.1',
      PORT: String(context.port('provider-sandbox')),
      LOG_LEVEL: context.logLevel,
      SANDBOX_SEED: context.sandbox.seed,
      SANDBOX_SIZE: context.sandbox.size,
      // The same start time on every run: the seeded history the state file was saved with.
      SANDBOX_START_TIME: context.sandbox.startTime,
      SANDBOX_STATE_FILE: context.sandbox.stateFile,
      SANDBOX_LIVE_ACTIVITY: String(context.sandbox.liveActivity),
      SANDBOX_ADMIN_TOKEN: context.secrets.sandboxAdminToken,
      SANDBOX_FINDIGI_CALLBACK_TOKEN: context.secrets.findigiCallbackToken,
      SANDBOX_INDX_API_KEY: context.secrets.indxApiKey,
      SANDBOX_INDX_API_SECRET: context.secrets.indxApiSecret,
      SANDBOX_INDEXO_SUBSCRIPTION_KEY: context.secrets.indexoSubscriptionKey,
      SANDBOX_INDODAX_API_KEY: context.secrets.indodaxApiKey,
      SANDBOX_INDODAX_SECRET_KEY: context.secrets.indodaxSecretKey,
      SANDBOX_FINX_TOKEN: context.secrets.finxToken,
      SANDBOX_FINDIGI_PASSWORD: context.secrets.findigiPassword,
      SANDBOX_FINDIGI_2FA_CODE: context.secrets.findigiTwoFactorCode,
      ...(context.inStack('ingress')
        ? {
            SANDBOX_INDODAX_CALLBACK_URL: `${context.url('ingress')}/callbacks/indodax/withdrawals`,
            SANDBOX_FINDIGI_WEBHOOK_URL: `${context.url('ingress')}/webhooks/xendit`,
          }
        : {}),
    }),
  },
  {
    app: 'ledger',
    role: 'ledger',
    summary: 'double-entry ledger of the providers’ money, reconciled against their balances',
    port: 3100,
    exposure: 'read-api',
    requiredEnv: ['KAFKA_BROKERS', 'DATABASE_URL'],
    secretEnv: ['DATABASE_URL'],
    database: {
      name: 'ledger',
      migrations: { modules: [{ module: 'apps/ledger/src/ledger/ledger-database', exportName: 'LEDGER_MIGRATIONS' }], table: 'ledger_migrations' },
    },
    startAfter: [],
    apis: [
      { label: 'balances', path: '/v1/balances' },
      { label: 'discrepancies', path: '/v1/discrepancies?status=open' },
      { label: 'OpenAPI', path: '/openapi.json' },
    ],
    localEnv: (context) => ({
      ...runtimeEnv('ledger', context),
      LEDGER_RUN_MIGRATIONS: 'false',
      LEDGER_CONSUMER_GROUP: `${context.topicPrefix}finmesh-ledger`,
    }),
  },
  {
    app: 'ingress',
    role: 'ingress',
    summary: 'verifies provider callbacks, stores them and publishes them before answering',
    port: 8080,
    adminPort: 8081,
    exposure: 'public',
    requiredEnv: ['KAFKA_BROKERS', 'DATABASE_URL'],
    secretEnv: [
      'DATABASE_URL',
      'INGRESS_ADMIN_TOKEN',
      'INGRESS_XENDIT_CALLBACK_TOKENS',
      'INGRESS_INDEXO_NOTIFICATION_TOKENS',
      'INGRESS_STANDARD_WEBHOOK_SOURCES',
    ],
    database: {
      name: 'ingress',
      migrations: { modules: [{ module: 'apps/ingress/src/persistence/migrations', exportName: 'INGRESS_MIGRATIONS' }], table: 'ingress_migrations' },
    },
    startAfter: [],
    apis: [
      { label: 'callbacks', path: '/webhooks/xendit  /callbacks/indodax/withdrawals  /callbacks/indexo/notifications/<token>' },
      { label: 'replay (admin, bearer INGRESS_ADMIN_TOKEN)', path: '/admin/callbacks/replay', admin: true },
    ],
    localEnv: (context) => ({
      ...runtimeEnv('ingress', context),
      INGRESS_RUN_MIGRATIONS: 'false',
      INGRESS_CONSUMER_GROUP: `${context.topicPrefix}finmesh-ingress`,
      INGRESS_ADMIN_HOST: '127.0.0.1',
      INGRESS_ADMIN_PORT: String(context.adminPort('ingress') ?? 8081),
      INGRESS_ADMIN_TOKEN: context.secrets.ingressAdminToken,
      INGRESS_XENDIT_CALLBACK_TOKENS: context.secrets.findigiCallbackToken,
      INGRESS_INDEXO_NOTIFICATION_TOKENS: context.secrets.indexoNotificationToken,
      // Fewer young-generation collections per request (docs/benchmarks.md), as in compose and k8s.
      NODE_OPTIONS: [process.env['NODE_OPTIONS'], INGRESS_NODE_OPTIONS].filter((part) => part !== undefined && part !== '').join(' '),
    }),
  },
  connector({
    provider: 'indx',
    port: 3201,
    summary: 'INDX custody bank: accounts, balances, transactions, wires and transfers',
    requiredEnv: ['INDX_BASE_URL', 'INDX_API_KEY', 'INDX_API_SECRET'],
    secretEnv: ['INDX_API_SECRET'],
    ownMigrations: undefined,
    providerEnv: (context) => ({
      INDX_BASE_URL: `${context.url('provider-sandbox')}/indx`,
      INDX_API_KEY: context.secrets.indxApiKey,
      INDX_API_SECRET: context.secrets.indxApiSecret,
    }),
  }),
  connector({
    provider: 'indexo',
    port: 3202,
    summary: 'INDEXO open banking: consents with SCA, accounts under consent, SEPA credit transfers',
    requiredEnv: ['INDEXO_BASE_URL', 'INDEXO_SUBSCRIPTION_KEY', 'INDEXO_QWAC_CERTIFICATE', 'INDEXO_PSU_ID', 'INDEXO_PSU_IP_ADDRESS'],
    secretEnv: ['INDEXO_SUBSCRIPTION_KEY', 'INDEXO_NOTIFICATION_URI'],
    ownMigrations: { module: 'apps/connector-indexo/src/migrations', exportName: 'INDEXO_MIGRATIONS' },
    providerEnv: (context) => ({
      INDEXO_BASE_URL: `${context.url('provider-sandbox')}/indexo`,
      INDEXO_MODE: 'production',
      INDEXO_SUBSCRIPTION_KEY: context.secrets.indexoSubscriptionKey,
      INDEXO_QWAC_CERTIFICATE: context.secrets.indexoClientCertificate,
      INDEXO_PSU_ID: context.facts['indexoPsuId'] ?? '',
      INDEXO_PSU_IP_ADDRESS: '127.0.0.1',
      INDEXO_SCA_POLL_INITIAL_MS: '1000',
      INDEXO_SCA_POLL_MAX_MS: '5000',
      ...(context.inStack('ingress')
        ? { INDEXO_NOTIFICATION_URI: `${context.url('ingress')}/callbacks/indexo/notifications/${context.secrets.indexoNotificationToken}` }
        : {}),
    }),
    /** The PSU whose accounts finmesh reads: the sandbox's first personal-code PSU. */
    prepareLocal: async (stack) => {
      const truth = await fetchGroundTruth(stack, 'indexo');
      const psuId = truth.map((account) => account.references['psuId']).find((id) => id !== undefined && /^\d{6}-\d{5}$/.test(id));
      if (psuId === undefined) throw new Error('the sandbox has no INDEXO PSU with a personal code');
      return { indexoPsuId: psuId };
    },
    /** Accounts are readable only under a consent the PSU authorised (decoupled SCA, finalised by the sandbox). */
    afterReady: async (stack) => {
      const url = stack.url('connector-indexo');
      const existing = await requestJson<{ data: Array<{ state: string }> }>('GET', `${url}/v1/consents`);
      const usable = existing.data.some((consent) => consent.state === 'active' || consent.state === 'pending_sca');
      if (usable) return 'INDEXO consent already there';
      const validUntil = new Date(Date.now() + 89 * 86_400_000).toISOString().slice(0, 10);
      await requestJson('POST', `${url}/v1/consents`, { validUntil, frequencyPerDay: 0, recurringIndicator: true });
      return `INDEXO consent requested (valid until ${validUntil}); the sandbox finalises its SCA in about 20 s`;
    },
    inScope: (account, facts) => account.references?.['psuId'] === facts['indexoPsuId'],
  }),
  connector({
    provider: 'indodax',
    port: 3203,
    summary: 'Indodax exchange: balances, trade and transfer history, orders and withdrawals',
    requiredEnv: ['INDODAX_BASE_URL', 'INDODAX_API_KEY', 'INDODAX_SECRET_KEY'],
    secretEnv: ['INDODAX_SECRET_KEY'],
    ownMigrations: { module: 'apps/connector-indodax/src/migrations', exportName: 'INDODAX_MIGRATIONS' },
    providerEnv: (context) => ({
      INDODAX_BASE_URL: `${context.url('provider-sandbox')}/indodax`,
      INDODAX_API_KEY: context.secrets.indodaxApiKey,
      INDODAX_SECRET_KEY: context.secrets.indodaxSecretKey,
    }),
  }),
  connector({
    provider: 'findigi',
    port: 3204,
    summary: 'FinDIGI wallets: balances, history, FinVault, wallet and bank transfers with maker-checker approval',
    requiredEnv: ['FINDIGI_BASE_URL', 'FINDIGI_EMAIL', 'FINDIGI_PASSWORD'],
    secretEnv: ['FINDIGI_PASSWORD', 'FINDIGI_2FA_CODE', 'FINDIGI_TOTP_SECRET'],
    ownMigrations: undefined,
    providerEnv: (context) => ({
      FINDIGI_BASE_URL: `${context.url('provider-sandbox')}/findigi`,
      FINDIGI_MODE: 'sandbox',
      // The company workspace with maker-checker approvals; a checker approves in the scenario.
      FINDIGI_EMAIL: 'maker@findigi.local',
      FINDIGI_PASSWORD: context.secrets.findigiPassword,
      FINDIGI_2FA_CODE: context.secrets.findigiTwoFactorCode,
    }),
    /** The maker's workspace: the wallets finmesh sees (the individual user's are someone else's). */
    prepareLocal: async (stack) => {
      const base = `${stack.url('provider-sandbox')}/findigi/api`;
      const test = { 'x-findigi-is-test': 'true' };
      const login = await requestJson<{ token?: string; challenge_id?: string }>('POST', `${base}/auth/login`, { email: 'maker@findigi.local', password: stack.secrets.findigiPassword }, test);
      const token =
        login.token ??
        (await requestJson<{ token?: string }>('POST', `${base}/auth/login/2fa/verify`, { challenge_id: login.challenge_id, code: stack.secrets.findigiTwoFactorCode }, test)).token;
      if (token === undefined) throw new Error('the sandbox did not let the FinDIGI maker log in');
      const clients = await requestJson<{ clients: Array<{ client_id: string }> }>('GET', `${base}/auth/my-clients`, undefined, { ...test, authorization: `Bearer ${token}` });
      const clientId = clients.clients[0]?.client_id;
      if (clientId === undefined) throw new Error('the FinDIGI maker has no workspace');
      return { findigiClientId: clientId };
    },
    inScope: (account, facts) => account.references?.['client_id'] === facts['findigiClientId'],
  }),
  connector({
    provider: 'finx',
    port: 3205,
    summary: 'Fin X account API: accounts and balances, account commands',
    requiredEnv: ['FINX_BASE_URL', 'FINX_API_TOKEN'],
    secretEnv: ['FINX_API_TOKEN'],
    ownMigrations: { module: 'apps/connector-finx/src/migrations', exportName: 'FINX_MIGRATIONS' },
    providerEnv: (context) => ({
      FINX_BASE_URL: `${context.url('provider-sandbox')}/finx`,
      FINX_API_TOKEN: context.secrets.finxToken,
    }),
  }),
];

/** Folders of apps/ that are deliberately not services of the stack, with the reason. */
export const EXCLUDED_APPS: Readonly<Record<string, string>> = {};

export function serviceNamed(app: string): ServiceDefinition | undefined {
  return SERVICES.find((service) => service.app === app);
}

/** Services in start order: each after the ones it names in startAfter (the sandbox first). */
export function startOrder(services: readonly ServiceDefinition[] = SERVICES): ServiceDefinition[] {
  const ordered: ServiceDefinition[] = [];
  const visit = (service: ServiceDefinition, path: readonly string[]): void => {
    if (ordered.includes(service)) return;
    if (path.includes(service.app)) throw new Error(`startAfter cycle: ${[...path, service.app].join(' → ')}`);
    for (const name of service.startAfter) {
      const dependency = services.find((candidate) => candidate.app === name);
      if (dependency === undefined) throw new Error(`${service.app} starts after ${name}, which is not in the registry`);
      visit(dependency, [...path, service.app]);
    }
    ordered.push(service);
  };
  const sandboxFirst = [...services].sort((a, b) => Number(b.role === 'sandbox') - Number(a.role === 'sandbox'));
  for (const service of sandboxFirst) visit(service, []);
  return ordered;
}
