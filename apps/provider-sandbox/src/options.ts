import type { ClockMode } from './core/clock';
import type { ProviderId } from './core/providers';
import { SIZE_PRESETS, type DataSize, type SizeName } from './core/size';
import { HOUR, MINUTE } from './core/time';

/**
 * Everything a sandbox can be started with. Every field has a default, so `startSandbox({})` is a
 * working sandbox; main.ts fills these from the environment (see config.ts).
 */
export type IndodaxPermission = 'view' | 'trade' | 'withdraw';

export interface IndxCredential {
  apiKey: string;
  apiSecret: string;
}

export interface IndodaxKey {
  apiKey: string;
  secretKey: string;
  permissions: readonly IndodaxPermission[];
  /** Where withdrawCoin verification calls go (set per key on the Indodax website). */
  callbackUrl?: string;
}

export interface FindigiUserOption {
  email: string;
  password: string;
  name: string;
  twoFactor: boolean;
}

export interface SandboxOptions {
  /** Any text; the same seed and size always give the same data. */
  seed?: string;
  size?: SizeName | DataSize;
  /** Sandbox-clock time at start (default: now, whole seconds). Fix it for byte-identical data. */
  startTime?: Date | string | number;
  clockMode?: ClockMode;
  /** realtime mode: sandbox seconds per wall second. */
  clockSpeed?: number;
  /** New transactions, deposits and price moves as the clock runs (default true). */
  liveActivity?: boolean;
  /** How often (sandbox clock) live activity happens. */
  activityIntervalMs?: number;
  adminToken?: string;
  basePaths?: Partial<Record<ProviderId, string>>;
  /**
   * The wall clock for protocol timing: signature freshness windows, rate limits, token expiry.
   * It is separate from the sandbox clock so advancing the sandbox a day does not make every
   * freshly signed request look stale. Tests inject it to test those windows without sleeping.
   */
  wallClock?: () => number;
  /** pino level, or false for no logs (tests). */
  logLevel?: string | false;
  /**
   * Where the sandbox keeps its state across restarts: restored at start when the file exists,
   * saved every `stateSaveIntervalMs` and at a clean stop. Without it the state lives in memory.
   */
  stateFile?: string;
  stateSaveIntervalMs?: number;
  /**
   * realtime mode, resuming: the clock moves on by the time the sandbox was down (times the
   * speed), at most this much, so payments due meanwhile settle; manual mode resumes at the saved time.
   */
  resumeCatchUpLimitMs?: number;
  callbackRetryScheduleMs?: readonly number[];
  callbackTimeoutMs?: number;
  indx?: { credentials?: readonly IndxCredential[]; maxAgeSeconds?: number };
  indexo?: {
    subscriptionKeys?: readonly string[];
    /** The documented INDEXO sandbox behaviour: PSU-ID SANDBOX_INDICATOR_1, challenge 123456, … */
    sandboxRules?: boolean;
    trustedCertificateFingerprints?: readonly string[];
    /** When set, status notifications are signed as Standard Webhooks with these `whsec_` secrets. */
    notificationSigningSecrets?: readonly string[];
  };
  indodax?: { keys?: readonly IndodaxKey[]; callbackTimeoutMs?: number };
  findigi?: {
    users?: readonly FindigiUserOption[];
    twoFactorCode?: string;
    jwtSecret?: string;
    tokenTtlSeconds?: number;
    webhookUrl?: string;
    callbackToken?: string;
    /** When set, webhooks are also signed as Standard Webhooks with these `whsec_` secrets. */
    webhookSigningSecrets?: readonly string[];
    /** Refuse requests without `x-findigi-is-test: true`, as the FinDIGI sandbox asks (default true). */
    requireTestHeader?: boolean;
  };
  finx?: { tokens?: readonly string[] };
}

export interface ResolvedOptions {
  seed: string;
  size: DataSize;
  startTime: number;
  clockMode: ClockMode;
  clockSpeed: number;
  liveActivity: boolean;
  activityIntervalMs: number;
  adminToken: string;
  basePaths: Record<ProviderId, string>;
  wallClock: () => number;
  logLevel: string | false;
  stateFile?: string;
  stateSaveIntervalMs: number;
  resumeCatchUpLimitMs: number;
  callbackRetryScheduleMs?: readonly number[];
  callbackTimeoutMs: number;
  indx: { credentials: readonly IndxCredential[]; maxAgeSeconds: number };
  indexo: {
    subscriptionKeys: readonly string[];
    sandboxRules: boolean;
    trustedCertificateFingerprints?: readonly string[];
    notificationSigningSecrets: readonly string[];
  };
  indodax: { keys: readonly IndodaxKey[]; callbackTimeoutMs: number };
  findigi: {
    users: readonly FindigiUserOption[];
    twoFactorCode: string;
    jwtSecret: string;
    tokenTtlSeconds: number;
    webhookUrl?: string;
    callbackToken: string;
    webhookSigningSecrets: readonly string[];
    requireTestHeader: boolean;
  };
  finx: { tokens: readonly string[] };
}

export const DEFAULT_BASE_PATHS: Readonly<Record<ProviderId, string>> = {
  indx: '/indx',
  indexo: '/indexo',
  indodax: '/indodax',
  findigi: '/findigi',
  finx: '/finx',
};

/** Sandbox credentials; documented in the README. Never real secrets. */
export const DEFAULT_CREDENTIALS = {
  adminToken: 'sandbox-admin-token',
  indx: { apiKey: 'indx-sandbox-key', apiSecret: 'indx-sandbox-secret' },
  // The subscription key of INDEXO's own documentation sample.
  indexoSubscriptionKey: '92044548c565426baecd52442f027fd1',
  // The key pair of the Indodax documentation's signing example.
  indodax: {
    apiKey: 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA',
    secretKey: 'f60617a68fcce028f0a90bc9eb765d17379eb548cc935c01a7ee3186eecf870e9b68f27a31bcfe8d',
  },
  findigi: {
    password: 'sandbox-password',
    twoFactorCode: '123456',
    jwtSecret: 'findigi-sandbox-jwt-secret',
    callbackToken: 'findigi-sandbox-callback-token',
  },
  finxToken: 'finx-sandbox-token',
} as const;

export const DEFAULT_FINDIGI_USERS: readonly FindigiUserOption[] = [
  { email: 'alpha.tester@findigi.local', password: DEFAULT_CREDENTIALS.findigi.password, name: 'Alpha Tester', twoFactor: false },
  { email: 'maker@findigi.local', password: DEFAULT_CREDENTIALS.findigi.password, name: 'Mona Maker', twoFactor: true },
  { email: 'checker@findigi.local', password: DEFAULT_CREDENTIALS.findigi.password, name: 'Chen Checker', twoFactor: true },
];

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const wallClock = options.wallClock ?? Date.now;
  const size = typeof options.size === 'object' ? options.size : SIZE_PRESETS[options.size ?? 'small'];
  const resolved: ResolvedOptions = {
    seed: options.seed ?? 'finmesh',
    size,
    startTime: resolveStartTime(options.startTime, wallClock),
    clockMode: options.clockMode ?? 'manual',
    clockSpeed: options.clockSpeed ?? 1,
    liveActivity: options.liveActivity ?? true,
    activityIntervalMs: options.activityIntervalMs ?? MINUTE,
    adminToken: options.adminToken ?? DEFAULT_CREDENTIALS.adminToken,
    basePaths: { ...DEFAULT_BASE_PATHS, ...options.basePaths },
    wallClock,
    logLevel: options.logLevel ?? 'info',
    stateSaveIntervalMs: options.stateSaveIntervalMs ?? 5_000,
    resumeCatchUpLimitMs: options.resumeCatchUpLimitMs ?? HOUR,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5_000,
    indx: {
      credentials: options.indx?.credentials ?? [DEFAULT_CREDENTIALS.indx],
      maxAgeSeconds: options.indx?.maxAgeSeconds ?? 300,
    },
    indexo: {
      subscriptionKeys: options.indexo?.subscriptionKeys ?? [DEFAULT_CREDENTIALS.indexoSubscriptionKey],
      sandboxRules: options.indexo?.sandboxRules ?? false,
      notificationSigningSecrets: options.indexo?.notificationSigningSecrets ?? [],
    },
    indodax: {
      keys: options.indodax?.keys ?? [{ ...DEFAULT_CREDENTIALS.indodax, permissions: ['view', 'trade', 'withdraw'] }],
      callbackTimeoutMs: options.indodax?.callbackTimeoutMs ?? 5_000,
    },
    findigi: {
      users: options.findigi?.users ?? DEFAULT_FINDIGI_USERS,
      twoFactorCode: options.findigi?.twoFactorCode ?? DEFAULT_CREDENTIALS.findigi.twoFactorCode,
      jwtSecret: options.findigi?.jwtSecret ?? DEFAULT_CREDENTIALS.findigi.jwtSecret,
      tokenTtlSeconds: options.findigi?.tokenTtlSeconds ?? 3_600,
      callbackToken: options.findigi?.callbackToken ?? DEFAULT_CREDENTIALS.findigi.callbackToken,
      webhookSigningSecrets: options.findigi?.webhookSigningSecrets ?? [],
      requireTestHeader: options.findigi?.requireTestHeader ?? true,
    },
    finx: { tokens: options.finx?.tokens ?? [DEFAULT_CREDENTIALS.finxToken] },
  };
  if (options.stateFile !== undefined) resolved.stateFile = options.stateFile;
  if (options.callbackRetryScheduleMs !== undefined) resolved.callbackRetryScheduleMs = options.callbackRetryScheduleMs;
  if (options.indexo?.trustedCertificateFingerprints !== undefined) {
    resolved.indexo.trustedCertificateFingerprints = options.indexo.trustedCertificateFingerprints;
  }
  if (options.findigi?.webhookUrl !== undefined) resolved.findigi.webhookUrl = options.findigi.webhookUrl;
  for (const [provider, path] of Object.entries(resolved.basePaths)) {
    if (!/^\/[A-Za-z0-9._~\-/]*[A-Za-z0-9._~-]$/.test(path)) {
      throw new Error(`the base path of ${provider} must start with / and not end with /: ${path}`);
    }
  }
  return resolved;
}

function resolveStartTime(value: SandboxOptions['startTime'], wallClock: () => number): number {
  if (value === undefined) return Math.floor(wallClock() / 1000) * 1000;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`the start time is not a valid date: ${String(value)}`);
  return ms;
}
