import { ConfigError } from '@finmesh/service-runtime';
import { loadIndexoConfig } from './config';
import { DOCUMENTED_SAMPLE_QWAC } from './testing/qwac-fixture';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/finmesh',
  INDEXO_BASE_URL: 'http://127.0.0.1:4010/indexo/',
  INDEXO_SUBSCRIPTION_KEY: '92044548c565426baecd52442f027fd1',
  INDEXO_QWAC_CERTIFICATE: DOCUMENTED_SAMPLE_QWAC,
  INDEXO_PSU_ID: '123456-12345',
  INDEXO_PSU_IP_ADDRESS: '83.99.204.49',
};

describe('loadIndexoConfig', () => {
  it('loads a production configuration and parses the QWAC', () => {
    const config = loadIndexoConfig(base);
    expect(config.INDEXO_BASE_URL).toBe('http://127.0.0.1:4010/indexo');
    expect(config.INDEXO_MODE).toBe('production');
    expect(config.INDEXO_QWAC_CERTIFICATE.headerValue).toBe(DOCUMENTED_SAMPLE_QWAC);
  });

  it('applies the documented PSU-ID rules per mode', () => {
    expect(() => loadIndexoConfig({ ...base, INDEXO_PSU_ID: 'SANDBOX_INDICATOR_1' })).toThrow(/INDEXO_PSU_ID: must be a personal code/);
    expect(() => loadIndexoConfig({ ...base, INDEXO_MODE: 'sandbox' })).toThrow(/INDEXO_PSU_ID: must be SANDBOX_INDICATOR_1/);
    expect(loadIndexoConfig({ ...base, INDEXO_MODE: 'sandbox', INDEXO_PSU_ID: 'SANDBOX_INDICATOR_1' }).INDEXO_MODE).toBe('sandbox');
  });

  it('names bad variables without printing secrets', () => {
    try {
      loadIndexoConfig({ ...base, INDEXO_SUBSCRIPTION_KEY: 'short', INDEXO_QWAC_CERTIFICATE: 'not a certificate', INDEXO_PSU_IP_ADDRESS: 'nowhere' });
      throw new Error('expected a ConfigError');
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toMatch(/INDEXO_SUBSCRIPTION_KEY/);
      expect(message).toMatch(/INDEXO_QWAC_CERTIFICATE/);
      expect(message).toMatch(/INDEXO_PSU_IP_ADDRESS/);
      expect(message).not.toMatch(/short/);
    }
  });
});
