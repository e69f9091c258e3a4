import { ConfigError } from '@finmesh/service-runtime';
import { loadFindigiConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://connector:pa55word@127.0.0.1:5432/findigi',
  KAFKA_BROKERS: '127.0.0.1:9092',
  FINDIGI_BASE_URL: 'https://api.findigi.example/',
  FINDIGI_EMAIL: 'treasury@acme.example',
  FINDIGI_PASSWORD: 'correct-horse-battery',
};

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadFindigiConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('FinDIGI connector configuration', () => {
  it('types every setting and fills the defaults', () => {
    const config = loadFindigiConfig(valid);
    expect(config).toMatchObject({
      FINDIGI_BASE_URL: 'https://api.findigi.example',
      FINDIGI_MODE: 'production',
      FINDIGI_EMAIL: 'treasury@acme.example',
      FINDIGI_TOKEN_REFRESH_MARGIN_MS: 60_000,
      FINDIGI_PAGE_SIZE: 100,
      FINDIGI_ASSETS: {},
      FINDIGI_FINVAULT_ENABLED: true,
      FINDIGI_FX_MIN_FRESH_SECONDS: 15,
      PORT: 3204,
      KAFKA_CLIENT_ID: 'finmesh-connector-findigi',
      CALLBACKS_CONSUMER_GROUP: 'finmesh-connector-findigi-callbacks',
    });
    expect(config.FINDIGI_TOTP_SECRET).toBeUndefined();
    expect(config.FINDIGI_2FA_CODE).toBeUndefined();
    expect(config.FINDIGI_CLIENT_ID).toBeUndefined();
  });

  it('reads the sandbox mode, the 2FA code source, the workspace, extra currencies and FX freshness', () => {
    const config = loadFindigiConfig({
      ...valid,
      FINDIGI_MODE: 'sandbox',
      FINDIGI_TOTP_SECRET: 'GEZDGNBVGY3TQOJQ',
      FINDIGI_CLIENT_ID: 'client-42',
      FINDIGI_ASSETS: '{"MYR":2}',
      FINDIGI_PAGE_SIZE: '200',
      FINDIGI_FINVAULT_ENABLED: 'false',
      FINDIGI_FX_MIN_FRESH_SECONDS: '60',
      FINDIGI_TOKEN_REFRESH_MARGIN_MS: '5000',
    });
    expect(config).toMatchObject({
      FINDIGI_MODE: 'sandbox',
      FINDIGI_TOTP_SECRET: 'GEZDGNBVGY3TQOJQ',
      FINDIGI_CLIENT_ID: 'client-42',
      FINDIGI_ASSETS: { MYR: 2 },
      FINDIGI_PAGE_SIZE: 200,
      FINDIGI_FINVAULT_ENABLED: false,
      FINDIGI_FX_MIN_FRESH_SECONDS: 60,
      FINDIGI_TOKEN_REFRESH_MARGIN_MS: 5_000,
    });
  });

  it('refuses a TOTP secret and a fixed code together', () => {
    expect(configErrorOf({ ...valid, FINDIGI_TOTP_SECRET: 'GEZDGNBVGY3TQOJQ', FINDIGI_2FA_CODE: '123456' }).message).toMatch(/FINDIGI_2FA_CODE/);
  });

  it('names every missing or malformed variable at once, and never prints a secret', () => {
    const error = configErrorOf({
      ...valid,
      FINDIGI_BASE_URL: 'ftp://nowhere',
      FINDIGI_EMAIL: 'not-an-email',
      FINDIGI_PASSWORD: undefined,
      FINDIGI_2FA_CODE: '12345x',
      FINDIGI_TOTP_SECRET: undefined,
      FINDIGI_PAGE_SIZE: '201',
      FINDIGI_ASSETS: '{"usd":2}',
      FINDIGI_MODE: 'live',
    });
    for (const name of ['FINDIGI_BASE_URL', 'FINDIGI_EMAIL', 'FINDIGI_PASSWORD', 'FINDIGI_2FA_CODE', 'FINDIGI_PAGE_SIZE', 'FINDIGI_ASSETS', 'FINDIGI_MODE']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('12345x');
    expect(error.message).not.toContain('pa55word');
    const secretError = configErrorOf({ ...valid, FINDIGI_TOTP_SECRET: 'not base32 !!' });
    expect(secretError.message).toContain('FINDIGI_TOTP_SECRET');
    expect(secretError.message).not.toContain('not base32 !!');
  });
});
