import { z } from 'zod';
import { SIZE_NAMES, SIZE_PRESETS } from './core/size';
import { DEFAULT_CREDENTIALS, DEFAULT_FINDIGI_USERS, type IndodaxPermission, type SandboxOptions } from './options';
import type { ListenOptions } from './sandbox';

/**
 * The sandbox's environment, read once and validated; a bad value stops the start with a message
 * naming the variable (never echoing a secret). Every variable is optional: the defaults are a
 * working sandbox (see the README for the table).
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInteger = z.string().regex(/^\d+$/).transform(Number);

const environment = z.object({
  PORT: z.string().regex(/^\d{1,5}$/).transform(Number).default(4010),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_SEED: z.string().min(1).optional(),
  SANDBOX_SIZE: z.enum(SIZE_NAMES).default('small'),
  SANDBOX_ACCOUNTS: positiveInteger.optional(),
  SANDBOX_TRANSACTIONS_PER_ACCOUNT: positiveInteger.optional(),
  SANDBOX_HISTORY_DAYS: positiveInteger.optional(),
  SANDBOX_START_TIME: z.string().datetime({ offset: true }).optional(),
  SANDBOX_CLOCK: z.enum(['manual', 'realtime']).default('realtime'),
  SANDBOX_CLOCK_SPEED: z.string().regex(/^\d+(\.\d+)?$/).transform(Number).optional(),
  SANDBOX_LIVE_ACTIVITY: flag.optional(),
  SANDBOX_ACTIVITY_INTERVAL_MS: positiveInteger.optional(),
  SANDBOX_ADMIN_TOKEN: z.string().min(8).optional(),
  SANDBOX_STATE_FILE: z.string().min(1).optional(),
  SANDBOX_STATE_SAVE_INTERVAL_MS: positiveInteger.optional(),
  SANDBOX_RESUME_CATCH_UP_LIMIT_MS: z.string().regex(/^\d+$/).transform(Number).optional(),
  SANDBOX_CALLBACK_TIMEOUT_MS: positiveInteger.optional(),
  SANDBOX_INDX_BASE_PATH: z.string().optional(),
  SANDBOX_INDEXO_BASE_PATH: z.string().optional(),
  SANDBOX_INDODAX_BASE_PATH: z.string().optional(),
  SANDBOX_FINDIGI_BASE_PATH: z.string().optional(),
  SANDBOX_FINX_BASE_PATH: z.string().optional(),
  SANDBOX_INDX_API_KEY: z.string().min(1).optional(),
  SANDBOX_INDX_API_SECRET: z.string().min(1).optional(),
  SANDBOX_INDX_MAX_AGE_SECONDS: positiveInteger.optional(),
  SANDBOX_INDEXO_SUBSCRIPTION_KEY: z.string().min(1).optional(),
  SANDBOX_INDEXO_SANDBOX_RULES: flag.optional(),
  SANDBOX_INDEXO_CERT_FINGERPRINTS: list.optional(),
  SANDBOX_INDEXO_NOTIFICATION_SECRETS: list.optional(),
  SANDBOX_INDODAX_API_KEY: z.string().min(1).optional(),
  SANDBOX_INDODAX_SECRET_KEY: z.string().min(1).optional(),
  SANDBOX_INDODAX_PERMISSIONS: list.pipe(z.array(z.enum(['view', 'trade', 'withdraw']))).optional(),
  SANDBOX_INDODAX_CALLBACK_URL: z.string().url().optional(),
  SANDBOX_INDODAX_CALLBACK_TIMEOUT_MS: positiveInteger.optional(),
  SANDBOX_FINDIGI_PASSWORD: z.string().min(1).optional(),
  SANDBOX_FINDIGI_2FA_CODE: z.string().regex(/^\d{6}$/).optional(),
  SANDBOX_FINDIGI_JWT_SECRET: z.string().min(16).optional(),
  SANDBOX_FINDIGI_TOKEN_TTL_SECONDS: positiveInteger.pipe(z.number().int().min(1).max(86_400)).optional(),
  SANDBOX_FINDIGI_WEBHOOK_URL: z.string().url().optional(),
  SANDBOX_FINDIGI_CALLBACK_TOKEN: z.string().min(1).optional(),
  SANDBOX_FINDIGI_WEBHOOK_SECRETS: list.optional(),
  SANDBOX_FINDIGI_REQUIRE_TEST_HEADER: flag.optional(),
  SANDBOX_FINX_TOKEN: z.string().min(1).optional(),
});

/** Turns the process environment into sandbox options and where to listen. */
export function loadConfig(env: NodeJS.ProcessEnv): SandboxOptions & ListenOptions {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid sandbox configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const preset = SIZE_PRESETS[e.SANDBOX_SIZE];
  const basePaths = Object.fromEntries(
    (
      [
        ['indx', e.SANDBOX_INDX_BASE_PATH],
        ['indexo', e.SANDBOX_INDEXO_BASE_PATH],
        ['indodax', e.SANDBOX_INDODAX_BASE_PATH],
        ['findigi', e.SANDBOX_FINDIGI_BASE_PATH],
        ['finx', e.SANDBOX_FINX_BASE_PATH],
      ] as const
    ).filter(([, path]) => path !== undefined),
  );
  const permissions: IndodaxPermission[] = e.SANDBOX_INDODAX_PERMISSIONS ?? ['view', 'trade', 'withdraw'];
  const password = e.SANDBOX_FINDIGI_PASSWORD;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL === 'silent' ? false : e.LOG_LEVEL,
    ...(e.SANDBOX_SEED === undefined ? {} : { seed: e.SANDBOX_SEED }),
    size: {
      accounts: e.SANDBOX_ACCOUNTS ?? preset.accounts,
      transactionsPerAccount: e.SANDBOX_TRANSACTIONS_PER_ACCOUNT ?? preset.transactionsPerAccount,
      historyDays: e.SANDBOX_HISTORY_DAYS ?? preset.historyDays,
    },
    ...(e.SANDBOX_START_TIME === undefined ? {} : { startTime: e.SANDBOX_START_TIME }),
    clockMode: e.SANDBOX_CLOCK,
    ...(e.SANDBOX_CLOCK_SPEED === undefined ? {} : { clockSpeed: e.SANDBOX_CLOCK_SPEED }),
    ...(e.SANDBOX_LIVE_ACTIVITY === undefined ? {} : { liveActivity: e.SANDBOX_LIVE_ACTIVITY }),
    ...(e.SANDBOX_ACTIVITY_INTERVAL_MS === undefined ? {} : { activityIntervalMs: e.SANDBOX_ACTIVITY_INTERVAL_MS }),
    ...(e.SANDBOX_ADMIN_TOKEN === undefined ? {} : { adminToken: e.SANDBOX_ADMIN_TOKEN }),
    ...(e.SANDBOX_STATE_FILE === undefined ? {} : { stateFile: e.SANDBOX_STATE_FILE }),
    ...(e.SANDBOX_STATE_SAVE_INTERVAL_MS === undefined ? {} : { stateSaveIntervalMs: e.SANDBOX_STATE_SAVE_INTERVAL_MS }),
    ...(e.SANDBOX_RESUME_CATCH_UP_LIMIT_MS === undefined ? {} : { resumeCatchUpLimitMs: e.SANDBOX_RESUME_CATCH_UP_LIMIT_MS }),
    ...(e.SANDBOX_CALLBACK_TIMEOUT_MS === undefined ? {} : { callbackTimeoutMs: e.SANDBOX_CALLBACK_TIMEOUT_MS }),
    basePaths,
    indx: {
      credentials: [{ apiKey: e.SANDBOX_INDX_API_KEY ?? DEFAULT_CREDENTIALS.indx.apiKey, apiSecret: e.SANDBOX_INDX_API_SECRET ?? DEFAULT_CREDENTIALS.indx.apiSecret }],
      ...(e.SANDBOX_INDX_MAX_AGE_SECONDS === undefined ? {} : { maxAgeSeconds: e.SANDBOX_INDX_MAX_AGE_SECONDS }),
    },
    indexo: {
      subscriptionKeys: [e.SANDBOX_INDEXO_SUBSCRIPTION_KEY ?? DEFAULT_CREDENTIALS.indexoSubscriptionKey],
      ...(e.SANDBOX_INDEXO_SANDBOX_RULES === undefined ? {} : { sandboxRules: e.SANDBOX_INDEXO_SANDBOX_RULES }),
      ...(e.SANDBOX_INDEXO_CERT_FINGERPRINTS === undefined ? {} : { trustedCertificateFingerprints: e.SANDBOX_INDEXO_CERT_FINGERPRINTS }),
      ...(e.SANDBOX_INDEXO_NOTIFICATION_SECRETS === undefined ? {} : { notificationSigningSecrets: e.SANDBOX_INDEXO_NOTIFICATION_SECRETS }),
    },
    indodax: {
      keys: [
        {
          apiKey: e.SANDBOX_INDODAX_API_KEY ?? DEFAULT_CREDENTIALS.indodax.apiKey,
          secretKey: e.SANDBOX_INDODAX_SECRET_KEY ?? DEFAULT_CREDENTIALS.indodax.secretKey,
          permissions,
          ...(e.SANDBOX_INDODAX_CALLBACK_URL === undefined ? {} : { callbackUrl: e.SANDBOX_INDODAX_CALLBACK_URL }),
        },
      ],
      ...(e.SANDBOX_INDODAX_CALLBACK_TIMEOUT_MS === undefined ? {} : { callbackTimeoutMs: e.SANDBOX_INDODAX_CALLBACK_TIMEOUT_MS }),
    },
    findigi: {
      users: DEFAULT_FINDIGI_USERS.map((user) => (password === undefined ? user : { ...user, password })),
      ...(e.SANDBOX_FINDIGI_2FA_CODE === undefined ? {} : { twoFactorCode: e.SANDBOX_FINDIGI_2FA_CODE }),
      ...(e.SANDBOX_FINDIGI_JWT_SECRET === undefined ? {} : { jwtSecret: e.SANDBOX_FINDIGI_JWT_SECRET }),
      ...(e.SANDBOX_FINDIGI_TOKEN_TTL_SECONDS === undefined ? {} : { tokenTtlSeconds: e.SANDBOX_FINDIGI_TOKEN_TTL_SECONDS }),
      ...(e.SANDBOX_FINDIGI_WEBHOOK_URL === undefined ? {} : { webhookUrl: e.SANDBOX_FINDIGI_WEBHOOK_URL }),
      ...(e.SANDBOX_FINDIGI_CALLBACK_TOKEN === undefined ? {} : { callbackToken: e.SANDBOX_FINDIGI_CALLBACK_TOKEN }),
      ...(e.SANDBOX_FINDIGI_WEBHOOK_SECRETS === undefined ? {} : { webhookSigningSecrets: e.SANDBOX_FINDIGI_WEBHOOK_SECRETS }),
      ...(e.SANDBOX_FINDIGI_REQUIRE_TEST_HEADER === undefined ? {} : { requireTestHeader: e.SANDBOX_FINDIGI_REQUIRE_TEST_HEADER }),
    },
    finx: { tokens: [e.SANDBOX_FINX_TOKEN ?? DEFAULT_CREDENTIALS.finxToken] },
  };
}
