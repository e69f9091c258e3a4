import { parseBrokerList } from '@finmesh/kafka';
import { parseDatabaseUrl } from '@finmesh/persistence';
import { z } from 'zod';
import { secret, VALUE_FREE_MESSAGE } from './load-config';

/**
 * Building blocks for environment schemas. Each takes the variable's text and produces a typed
 * value, reporting problems as zod issues (never by throwing), so that loadConfig can list every
 * bad variable at once.
 */

export interface IntegerEnvOptions {
  min?: number;
  max?: number;
}

/** A whole number in decimal digits, within [min, max]. */
export function integerEnv({ min = 0, max = Number.MAX_SAFE_INTEGER }: IntegerEnvOptions = {}) {
  return z
    .string()
    .regex(/^-?\d{1,16}$/, { message: `must be a whole number between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive. */
export function booleanEnv() {
  return z
    .string()
    .transform((value, context) => {
      const normalized = value.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(normalized)) return true;
      if (['false', '0', 'no'].includes(normalized)) return false;
      context.addIssue({ code: 'custom', message: 'must be true or false', params: VALUE_FREE_MESSAGE });
      return z.NEVER;
    });
}

/** A comma-separated list; blanks around entries are ignored, empty entries dropped. */
export function listEnv<Item extends z.ZodType<unknown, string>>(item: Item) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(item).min(1, { message: 'must list at least one entry' }));
}

/** A JSON document validated against `schema`; a syntax error names the position, not the text. */
export function jsonEnv<Schema extends z.ZodType>(schema: Schema) {
  return z
    .string()
    .transform((value, context): unknown => {
      try {
        return JSON.parse(value) as unknown;
      } catch (error: unknown) {
        const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
        context.addIssue({
          code: 'custom',
          message: `is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`,
          params: VALUE_FREE_MESSAGE,
        });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A TCP port. */
export function portEnv() {
  return integerEnv({ min: 1, max: 65_535 });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `KAFKA_BROKERS`, `KAFKA_CLIENT_ID`, `KAFKA_TOPIC_PREFIX`, `KAFKA_PROVISION_TOPICS`. */
export function kafkaEnv(defaults: { clientId: string }) {
  return {
    KAFKA_BROKERS: z.string().transform((value, context) => {
      try {
        return parseBrokerList(value);
      } catch (error: unknown) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'is malformed' });
        return z.NEVER;
      }
    }),
    KAFKA_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,128}$/, { message: 'must be 1 to 128 letters, digits, ".", "_" or "-"' })
      .default(defaults.clientId),
    /** Prefixed to every topic name (tests and shared clusters); empty in production. */
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, { message: 'must be letters, digits, ".", "_" or "-"' })
      .default(''),
    /** Create missing topics of the registry at boot (local runs); production provisions them separately. */
    KAFKA_PROVISION_TOPICS: booleanEnv().default(false),
  };
}

/** `DATABASE_URL`: a postgres:// URL; secret, since it may carry a password. */
export function databaseEnv() {
  return {
    DATABASE_URL: secret(
      z.string().transform((value, context) => {
        try {
          return parseDatabaseUrl(value).url;
        } catch (error: unknown) {
          // parseDatabaseUrl names the problem and never echoes a password.
          context.addIssue({
            code: 'custom',
            message: error instanceof Error ? error.message : 'is malformed',
            params: VALUE_FREE_MESSAGE,
          });
          return z.NEVER;
        }
      }),
    ),
  };
}

/** `PORT` and `HOST` of the service's HTTP listener. */
export function httpEnv(defaults: { port: number; host?: string }) {
  return {
    PORT: portEnv().default(defaults.port),
    HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:_-]{1,253}$/, { message: 'must be a host name or an IP address' })
      .default(defaults.host ?? '0.0.0.0'),
  };
}

/** `LOG_LEVEL`: one of pino's levels; `info` by default. */
export function logEnv() {
  return {
    LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  };
}
