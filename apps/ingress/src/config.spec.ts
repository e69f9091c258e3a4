import { ConfigError } from '@finmesh/service-runtime';
import { loadIngressConfig } from './config';

const base = { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://u:p@db:5432/ingress' };
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadIngressConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ingress configuration', () => {
  it('has safe defaults: admin on 127.0.0.1, migrations at boot, a 30-day dedupe window, Indodax waits 3 s', () => {
    const config = loadIngressConfig(base);
    expect(config).toMatchObject({
      PORT: 8080,
      INGRESS_ADMIN_HOST: '127.0.0.1',
      INGRESS_RUN_MIGRATIONS: true,
      INGRESS_DEDUPE_WINDOW_DAYS: 30,
      INGRESS_INDODAX_WAIT_MS: 3_000,
      INGRESS_STANDARD_WEBHOOK_SOURCES: {},
    });
    expect(config.INGRESS_ADMIN_TOKEN).toBeUndefined();
    expect(config.INGRESS_XENDIT_CALLBACK_TOKENS).toBeUndefined();
  });

  it('reads Standard Webhooks sources with plain and labelled secrets', () => {
    const config = loadIngressConfig({
      ...base,
      INGRESS_STANDARD_WEBHOOK_SOURCES: JSON.stringify({ acme: { provider: 'indx', secrets: [secret, { keyId: 'k2', secret }] } }),
    });
    expect(config.INGRESS_STANDARD_WEBHOOK_SOURCES['acme']).toEqual({
      provider: 'indx',
      secrets: [secret, { keyId: 'k2', secret }],
      toleranceSeconds: 300,
    });
  });

  it('names what is wrong without printing a secret', () => {
    const problems = problemsOf({
      ...base,
      INGRESS_ADMIN_TOKEN: 'short-admin-hunter2',
      INGRESS_XENDIT_CALLBACK_TOKENS: 'hunter2',
      INGRESS_INDEXO_NOTIFICATION_TOKENS: 'hunter2/with/slashes-and-long-enough-to-count',
      INGRESS_STANDARD_WEBHOOK_SOURCES: JSON.stringify({
        'indodax-withdraw': { provider: 'indodax', secrets: [secret] },
        Bad_Name: { provider: 'indx', secrets: [secret] },
        weak: { provider: 'indx', secrets: ['whsec_aHVudGVyMg=='] },
        nobody: { provider: 'acme-bank', secrets: [secret] },
      }),
      INGRESS_INDODAX_WAIT_MS: '9000',
    });
    expect(Object.keys(problems).sort()).toEqual([
      'INGRESS_ADMIN_TOKEN',
      'INGRESS_INDEXO_NOTIFICATION_TOKENS',
      'INGRESS_INDODAX_WAIT_MS',
      'INGRESS_STANDARD_WEBHOOK_SOURCES',
      'INGRESS_XENDIT_CALLBACK_TOKENS',
    ]);
    const text = JSON.stringify(problems);
    expect(text).not.toMatch(/hunter2|aHVudGVyMg|MfKQ9r8/);
    expect(problems['INGRESS_INDODAX_WAIT_MS']).toMatch(/at most 4500/);
  });
});
