import { PROVIDERS } from '@finmesh/schemas';
import {
  booleanEnv,
  databaseEnv,
  httpEnv,
  integerEnv,
  jsonEnv,
  kafkaEnv,
  listEnv,
  loadConfig,
  logEnv,
  portEnv,
  secret,
  type Environment,
} from '@finmesh/service-runtime';
import { parseStandardWebhookSecret } from '@finmesh/signing';
import { z } from 'zod';

/** Sources with routes of their own; a Standard Webhooks source may not take these names. */
export const INDODAX_WITHDRAW_SOURCE = 'indodax-withdraw';
export const XENDIT_SOURCE = 'findigi-xendit';
export const INDEXO_SOURCE = 'indexo-notifications';
export const RESERVED_SOURCE_NAMES: readonly string[] = [INDODAX_WITHDRAW_SOURCE, XENDIT_SOURCE, INDEXO_SOURCE];

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const standardWebhookSecretSchema = z
  .string()
  .refine(
    (value) => {
      try {
        return parseStandardWebhookSecret(value).length >= 16;
      } catch {
        return false;
      }
    },
    { message: 'must be whsec_ followed by base64 of at least 16 bytes' },
  );

const labelledSecretSchema = z.union([
  standardWebhookSecretSchema,
  z.strictObject({
    keyId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, ".", "_" or "-"' }),
    secret: standardWebhookSecretSchema,
  }),
]);

const standardWebhookSourceSchema = z.strictObject({
  provider: z.enum(PROVIDERS),
  secrets: z.array(labelledSecretSchema).min(1).max(8),
  toleranceSeconds: z.number().int().min(1).max(3_600).default(300),
  rateLimitPerSecond: z.number().int().min(1).max(1_000_000).optional(),
});

const standardWebhookSourcesSchema = z
  .record(z.string(), standardWebhookSourceSchema)
  .superRefine((sources, context) => {
    for (const name of Object.keys(sources)) {
      if (!SOURCE_NAME.test(name)) {
        context.addIssue({ code: 'custom', path: [name], message: 'a source name must match [a-z0-9][a-z0-9-]{0,62}' });
      } else if (RESERVED_SOURCE_NAMES.includes(name)) {
        context.addIssue({ code: 'custom', path: [name], message: 'is the name of a built-in source' });
      }
    }
  });

const ingressEnvSchema = z.object({
  ...kafkaEnv({ clientId: 'finmesh-ingress' }),
  ...databaseEnv(),
  ...httpEnv({ port: 8080 }),
  ...logEnv(),
  INGRESS_ADMIN_PORT: portEnv().default(8081),
  INGRESS_ADMIN_HOST: z.string().regex(/^[A-Za-z0-9.:_-]{1,253}$/).default('127.0.0.1'),
  INGRESS_ADMIN_TOKEN: secret(z.string().min(32, { message: 'must be at least 32 characters' })).optional(),
  INGRESS_RUN_MIGRATIONS: booleanEnv().default(true),
  INGRESS_WORKERS: integerEnv({ min: 1, max: 64 }).default(1),
  INGRESS_DB_POOL_SIZE: integerEnv({ min: 2, max: 100 }).default(10),
  INGRESS_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).default('finmesh-ingress'),
  INGRESS_BODY_LIMIT_BYTES: integerEnv({ min: 1_024, max: 10 * 1024 * 1024 }).default(256 * 1024),
  INGRESS_DEDUPE_WINDOW_DAYS: integerEnv({ min: 1, max: 3_650 }).default(30),
  INGRESS_PURGE_INTERVAL_MS: integerEnv({ min: 1_000, max: 86_400_000 }).default(3_600_000),
  INGRESS_KAFKA_CONNECT_WAIT_MS: integerEnv({ min: 0, max: 120_000 }).default(10_000),
  INGRESS_PUBLISH_TIMEOUT_MS: integerEnv({ min: 100, max: 60_000 }).default(2_000),
  INGRESS_PUBLISH_LINGER_MS: integerEnv({ min: 0, max: 100 }).default(1),
  INGRESS_RETRY_AFTER_SECONDS: integerEnv({ min: 1, max: 3_600 }).default(5),
  INGRESS_RATE_LIMIT_PER_SECOND: integerEnv({ min: 1, max: 1_000_000 }).default(1_000),
  INGRESS_INDODAX_WAIT_MS: integerEnv({ min: 0, max: 4_500 }).default(3_000),
  INGRESS_INDODAX_DEADLINE_MS: integerEnv({ min: 500, max: 4_900 }).default(4_500),
  INGRESS_STANDARD_WEBHOOK_SOURCES: secret(jsonEnv(standardWebhookSourcesSchema)).default({}),
  INGRESS_XENDIT_CALLBACK_TOKENS: secret(listEnv(z.string().min(16, { message: 'must be at least 16 characters' }))).optional(),
  INGRESS_INDEXO_NOTIFICATION_TOKENS: secret(
    listEnv(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{32,256}$/, { message: 'must be 32 to 256 characters of [A-Za-z0-9_-] (it is a URL path segment)' }),
    ),
  ).optional(),
});

export type IngressConfig = z.output<typeof ingressEnvSchema>;
export type StandardWebhookSourceConfig = z.output<typeof standardWebhookSourceSchema>;

/** Reads and validates the ingress configuration; throws ConfigError naming every bad variable. */
export function loadIngressConfig(env: Environment = process.env): IngressConfig {
  return loadConfig(ingressEnvSchema, env);
}
