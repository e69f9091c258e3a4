import { ConfigError } from '@finmesh/service-runtime';
import { loadIndxConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://connector:pa55word@127.0.0.1:5432/indx',
  KAFKA_BROKERS: '127.0.0.1:9092',
  INDX_BASE_URL: 'https://api.indx.example/indx/',
  INDX_API_KEY: 'key-1',
  INDX_API_SECRET: 'very-secret-value',
};

describe('INDX connector configuration', () => {
  it('types every setting and fills the defaults', () => {
    const config = loadIndxConfig(valid);
    expect(config).toMatchObject({
      INDX_BASE_URL: 'https://api.indx.example/indx',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'finmesh-connector-indx',
      PORT: 3201,
      SYNC_ENABLED: true,
      INDX_TRANSACTIONS_PAGE_SIZE: 100,
      PROVIDER_RATE_LIMIT_PER_SECOND: 10,
      PROVIDER_ENDPOINT_RATE_LIMITS: {},
      INDX_ASSETS: {},
      CALLBACKS_CONSUMER_GROUP: 'finmesh-connector-indx-callbacks',
    });
  });

  it('reads per-endpoint rate limits and extra currencies as JSON', () => {
    const config = loadIndxConfig({
      ...valid,
      PROVIDER_ENDPOINT_RATE_LIMITS: '{"transactions.list":{"requestsPerSecond":2,"burst":4}}',
      INDX_ASSETS: '{"JPY":0}',
      SYNC_TRANSACTIONS_INTERVAL_MS: '15000',
    });
    expect(config.PROVIDER_ENDPOINT_RATE_LIMITS).toEqual({ 'transactions.list': { requestsPerSecond: 2, burst: 4 } });
    expect(config.INDX_ASSETS).toEqual({ JPY: 0 });
    expect(config.SYNC_TRANSACTIONS_INTERVAL_MS).toBe(15_000);
  });

  it('names every missing or malformed variable at once, and never prints a secret', () => {
    let error: unknown;
    try {
      loadIndxConfig({ ...valid, INDX_BASE_URL: 'ftp://nowhere', INDX_API_KEY: undefined, INDX_API_SECRET: 'short', INDX_TRANSACTIONS_PAGE_SIZE: '501' });
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/INDX_BASE_URL/);
    expect(message).toMatch(/INDX_API_KEY/);
    expect(message).toMatch(/INDX_API_SECRET/);
    expect(message).toMatch(/INDX_TRANSACTIONS_PAGE_SIZE/);
    expect(message).not.toContain('short');
    expect(message).not.toContain('pa55word');
  });
});
