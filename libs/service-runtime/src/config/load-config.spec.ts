import { z } from 'zod';
import {
  booleanEnv,
  databaseEnv,
  httpEnv,
  integerEnv,
  jsonEnv,
  kafkaEnv,
  listEnv,
  logEnv,
} from './env-fields';
import { ConfigError, loadConfig, secret } from './load-config';

const serviceSchema = z.object({
  ...kafkaEnv({ clientId: 'probe' }),
  ...databaseEnv(),
  ...httpEnv({ port: 8080 }),
  ...logEnv(),
  PROBE_ADMIN_TOKEN: secret(z.string().min(16, { message: 'must be at least 16 characters' })),
  PROBE_TOKENS: secret(listEnv(z.string().min(8))).optional(),
  PROBE_LIMIT: integerEnv({ min: 1, max: 100 }).default(10),
  PROBE_ENABLED: booleanEnv().default(true),
});

const validEnv = {
  KAFKA_BROKERS: 'k0:9092, k1:9093',
  DATABASE_URL: 'postgres://app:pa55word@db:5432/finmesh',
  PROBE_ADMIN_TOKEN: 'a-long-admin-token-value',
};

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns a typed object with defaults applied', () => {
    const config = loadConfig(serviceSchema, validEnv);
    expect(config).toEqual({
      KAFKA_BROKERS: ['k0:9092', 'k1:9093'],
      KAFKA_CLIENT_ID: 'probe',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_PROVISION_TOPICS: false,
      DATABASE_URL: 'postgres://app:pa55word@db:5432/finmesh',
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      PROBE_ADMIN_TOKEN: 'a-long-admin-token-value',
      PROBE_LIMIT: 10,
      PROBE_ENABLED: true,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(serviceSchema, { ...validEnv, PORT: '', LOG_LEVEL: '' })).toMatchObject({ PORT: 8080, LOG_LEVEL: 'info' });
  });

  it('names every bad variable at once, and why', () => {
    const error = configErrorOf(() =>
      loadConfig(serviceSchema, {
        KAFKA_BROKERS: 'kafka-without-port',
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        PROBE_LIMIT: '1000',
        PROBE_ENABLED: 'maybe',
      }),
    );
    const byVariable = Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));
    expect(byVariable).toEqual({
      KAFKA_BROKERS: expect.stringMatching(/malformed entry "kafka-without-port"/),
      DATABASE_URL: 'is required',
      PORT: expect.stringMatching(/whole number between 1 and 65535 \(got "eighty"\)/),
      LOG_LEVEL: expect.stringMatching(/one of fatal, error/),
      PROBE_ADMIN_TOKEN: 'is required',
      PROBE_LIMIT: expect.stringMatching(/at most 100/),
      PROBE_ENABLED: expect.stringMatching(/true or false/),
    });
    expect(error.message).toMatch(/invalid configuration \(7 problems\)/);
  });

  it('never prints the value of a secret variable', () => {
    const error = configErrorOf(() =>
      loadConfig(serviceSchema, {
        ...validEnv,
        DATABASE_URL: 'mysql://app:hunter2-db@db/finmesh',
        PROBE_ADMIN_TOKEN: 'hunter2-short',
        PROBE_TOKENS: 'hunter2, hunter2-long-enough',
      }),
    );
    expect(error.message).not.toMatch(/hunter2/);
    const byVariable = Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));
    expect(byVariable['DATABASE_URL']).toMatch(/must use the postgres:\/\/ scheme/);
    expect(byVariable['PROBE_ADMIN_TOKEN']).toMatch(/at least 16 characters \(secret: value not shown\)/);
    expect(byVariable['PROBE_TOKENS']).toMatch(/^0: .*secret: value not shown/);
  });

  it('hides a secret even when a custom rule quotes the value', () => {
    const schema = z.object({
      SIGNING_KEY: secret(z.string().refine((value) => value.startsWith('whsec_'), { message: 'bad key' })),
      LEAKY_KEY: secret(
        z.string().superRefine((value, context) => context.addIssue({ code: 'too_small', minimum: 99, origin: 'string', input: value, message: `too short: ${value}` })),
      ),
    });
    const error = configErrorOf(() => loadConfig(schema, { SIGNING_KEY: 'topsecretvalue', LEAKY_KEY: 'leakyvalue' }));
    expect(error.message).not.toMatch(/topsecretvalue|leakyvalue/);
    expect(error.problems.map((p) => p.variable)).toEqual(['SIGNING_KEY', 'LEAKY_KEY']);
  });

  it('reads JSON variables and points into them without quoting them', () => {
    const schema = z.object({
      SOURCES: secret(jsonEnv(z.record(z.string(), z.object({ secrets: z.array(z.string().min(10)) })))),
    });
    expect(loadConfig(schema, { SOURCES: '{"acme":{"secrets":["0123456789"]}}' })).toEqual({
      SOURCES: { acme: { secrets: ['0123456789'] } },
    });
    const syntax = configErrorOf(() => loadConfig(schema, { SOURCES: '{"acme": whsec_supersecret' }));
    expect(syntax.problems[0]?.message).toMatch(/not valid JSON/);
    expect(syntax.message).not.toMatch(/supersecret/);
    const nested = configErrorOf(() => loadConfig(schema, { SOURCES: '{"acme":{"secrets":["short"]}}' }));
    expect(nested.problems).toEqual([
      { variable: 'SOURCES', message: expect.stringMatching(/^acme\.secrets\.0: .*secret: value not shown/) },
    ]);
  });

  it('accepts a list of secret variable names for schemas it cannot mark', () => {
    const schema = z.object({ LEGACY_PASSWORD: z.string().min(12) });
    const error = configErrorOf(() =>
      loadConfig(schema, { LEGACY_PASSWORD: 'hunter2' }, { secretVariables: ['LEGACY_PASSWORD'] }),
    );
    expect(error.message).not.toMatch(/hunter2/);
  });
});
