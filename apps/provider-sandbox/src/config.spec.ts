import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  it('gives a working sandbox with no variables set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4010,
      clockMode: 'realtime',
      size: { accounts: 4, transactionsPerAccount: 60, historyDays: 30 },
      basePaths: {},
      finx: { tokens: ['finx-sandbox-token'] },
      indodax: { keys: [{ apiKey: 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA', permissions: ['view', 'trade', 'withdraw'] }] },
    });
  });

  it('reads every override', () => {
    const config = loadConfig({
      PORT: '0',
      SANDBOX_SEED: 'bench',
      SANDBOX_SIZE: 'large',
      SANDBOX_ACCOUNTS: '3',
      SANDBOX_CLOCK: 'manual',
      SANDBOX_START_TIME: '2025-01-01T00:00:00Z',
      SANDBOX_INDX_BASE_PATH: '/bank',
      SANDBOX_INDODAX_PERMISSIONS: 'view, trade',
      SANDBOX_INDODAX_CALLBACK_URL: 'http://127.0.0.1:9/cb',
      SANDBOX_INDEXO_SANDBOX_RULES: 'true',
      SANDBOX_FINDIGI_PASSWORD: 'another-password',
      SANDBOX_FINDIGI_TOKEN_TTL_SECONDS: '20',
      LOG_LEVEL: 'silent',
    });
    expect(config).toMatchObject({
      port: 0,
      seed: 'bench',
      size: { accounts: 3, transactionsPerAccount: 5_000, historyDays: 365 },
      clockMode: 'manual',
      startTime: '2025-01-01T00:00:00Z',
      basePaths: { indx: '/bank' },
      logLevel: false,
      indexo: { sandboxRules: true },
      indodax: { keys: [{ permissions: ['view', 'trade'], callbackUrl: 'http://127.0.0.1:9/cb' }] },
    });
    expect(config.findigi?.users?.every((user) => user.password === 'another-password')).toBe(true);
    expect(config.findigi?.tokenTtlSeconds).toBe(20);
  });

  it.each([
    [{ SANDBOX_SIZE: 'huge' }, 'SANDBOX_SIZE'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ SANDBOX_INDODAX_PERMISSIONS: 'view,admin' }, 'SANDBOX_INDODAX_PERMISSIONS'],
    [{ SANDBOX_ADMIN_TOKEN: 'short' }, 'SANDBOX_ADMIN_TOKEN'],
    [{ SANDBOX_FINDIGI_TOKEN_TTL_SECONDS: '0' }, 'SANDBOX_FINDIGI_TOKEN_TTL_SECONDS'],
  ])('stops on %j naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('does not echo a secret value in the error', () => {
    expect(() => loadConfig({ SANDBOX_FINDIGI_JWT_SECRET: 'short-secret' })).toThrow(/SANDBOX_FINDIGI_JWT_SECRET/);
    expect(() => loadConfig({ SANDBOX_FINDIGI_JWT_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
