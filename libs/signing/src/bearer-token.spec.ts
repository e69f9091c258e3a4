import {
  BearerTokenError,
  BearerTokenProvider,
  bearerAuthorization,
  decodeJwtExpiry,
  findigiRequestHeaders,
  finxRequestHeaders,
  type LoginOutcome,
} from './bearer-token';
import { SigningInputError } from './verification';

const T0 = Date.parse('2025-06-01T12:00:00Z');

function jwt(claims: object): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

function jwtExpiringAt(ms: number, subject = 'user-1'): string {
  return jwt({ sub: subject, exp: Math.floor(ms / 1000) });
}

/** A controllable login: each call returns the next token, and counts. */
function scriptedLogin(tokens: string[]) {
  let calls = 0;
  const login = jest.fn((): Promise<LoginOutcome<never>> => {
    const token = tokens[Math.min(calls, tokens.length - 1)];
    calls += 1;
    if (token === undefined) throw new Error('no token scripted');
    return Promise.resolve({ kind: 'token', token });
  });
  return login;
}

describe('bearer header helpers', () => {
  it('builds Authorization: Bearer for Fin X and adds the sandbox header for FinDIGI', () => {
    expect(finxRequestHeaders('abc.def-ghi')).toEqual({ Authorization: 'Bearer abc.def-ghi' });
    expect(findigiRequestHeaders('tok', { sandbox: true })).toEqual({ Authorization: 'Bearer tok', 'x-findigi-is-test': 'true' });
    expect(findigiRequestHeaders('tok', { sandbox: false })).toEqual({ Authorization: 'Bearer tok' });
  });

  it.each(['', 'has space', 'line\nbreak', 'quote"d'])('refuses %p as a token without echoing it', (token) => {
    expect(() => bearerAuthorization(token)).toThrow(SigningInputError);
    if (token !== '') expect(() => bearerAuthorization(token)).not.toThrow(token);
  });
});

describe('decodeJwtExpiry', () => {
  it('reads exp from the base64url payload', () => {
    expect(decodeJwtExpiry(jwtExpiringAt(T0))).toEqual(new Date(T0));
    expect(decodeJwtExpiry(jwt({ exp: 1_750_000_000.5 }))).toEqual(new Date(1_750_000_000_500));
  });

  it.each([
    ['a token without exp', jwt({ sub: 'x' })],
    ['a string exp', jwt({ exp: '1750000000' })],
    ['a negative exp', jwt({ exp: -1 })],
    ['an array payload', `e30.${Buffer.from('[1]').toString('base64url')}.sig`],
    ['a payload that is not JSON', `e30.${Buffer.from('{not json').toString('base64url')}.sig`],
    ['a payload that is not base64url', 'e30.eyJ+ZXhwIjoxfQ==.sig'],
    ['two parts', 'e30.eyJleHAiOjF9'],
    ['four parts', 'e30.eyJleHAiOjF9.sig.extra'],
    ['an opaque token', 'opaque-token-value'],
    ['a huge token', `e30.${'A'.repeat(20_000)}.sig`],
  ])('returns undefined for %s', (_label, token) => {
    expect(decodeJwtExpiry(token)).toBeUndefined();
  });
});

describe('BearerTokenProvider', () => {
  it('logs in once and reuses the token until the refresh margin before expiry', async () => {
    let now = T0;
    const first = jwtExpiringAt(T0 + 3_600_000, 'first');
    const second = jwtExpiringAt(T0 + 7_200_000, 'second');
    const login = scriptedLogin([first, second]);
    const provider = new BearerTokenProvider({ login, refreshMarginMs: 120_000, now: () => new Date(now) });

    expect(await provider.getToken()).toBe(first);
    now = T0 + 3_600_000 - 120_001;
    expect(await provider.getToken()).toBe(first);
    expect(login).toHaveBeenCalledTimes(1);
    now = T0 + 3_600_000 - 120_000;
    expect(await provider.getToken()).toBe(second);
    expect(login).toHaveBeenCalledTimes(2);
  });

  it('shares one login among concurrent callers', async () => {
    let release: (outcome: LoginOutcome<never>) => void = () => undefined;
    const login = jest.fn(() => new Promise<LoginOutcome<never>>((resolve) => (release = resolve)));
    const provider = new BearerTokenProvider({ login, now: () => new Date(T0) });
    const callers = Array.from({ length: 10 }, () => provider.getToken());
    const token = jwtExpiringAt(T0 + 3_600_000);
    release({ kind: 'token', token });
    expect(await Promise.all(callers)).toEqual(Array.from({ length: 10 }, () => token));
    expect(login).toHaveBeenCalledTimes(1);
  });

  it('passes a failed login to every waiting caller and tries again on the next call', async () => {
    const token = jwtExpiringAt(T0 + 3_600_000);
    const login = jest
      .fn<Promise<LoginOutcome<never>>, []>()
      .mockRejectedValueOnce(new Error('login unavailable'))
      .mockResolvedValue({ kind: 'token', token });
    const provider = new BearerTokenProvider({ login, now: () => new Date(T0) });
    const results = await Promise.allSettled([provider.getToken(), provider.getToken()]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(login).toHaveBeenCalledTimes(1);
    expect(await provider.getToken()).toBe(token);
  });

  it('completes 2FA with a code from the injected source', async () => {
    const token = jwtExpiringAt(T0 + 3_600_000);
    const challenge = { clientId: 'workspace-1', channel: 'email' };
    const twoFactorCode = jest.fn(() => Promise.resolve('123456'));
    const verifyTwoFactor = jest.fn(() => Promise.resolve(token));
    const provider = new BearerTokenProvider({
      login: () => Promise.resolve({ kind: 'two-factor-required', challenge }),
      twoFactorCode,
      verifyTwoFactor,
      now: () => new Date(T0),
    });
    expect(await provider.getToken()).toBe(token);
    expect(twoFactorCode).toHaveBeenCalledWith(challenge);
    expect(verifyTwoFactor).toHaveBeenCalledWith('123456', challenge);
  });

  it('fails clearly when the account needs 2FA and none is configured', async () => {
    const provider = new BearerTokenProvider({
      login: () => Promise.resolve({ kind: 'two-factor-required', challenge: {} }),
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'two_factor_not_configured' });
    await expect(provider.getToken()).rejects.toBeInstanceOf(BearerTokenError);
  });

  it('refuses a token that has expired on arrival or is not a bearer token, without echoing it', async () => {
    const expired = jwtExpiringAt(T0 - 1000);
    const expiredProvider = new BearerTokenProvider({ login: scriptedLogin([expired]), now: () => new Date(T0) });
    await expect(expiredProvider.getToken()).rejects.toMatchObject({ code: 'expired_on_arrival' });
    await expect(expiredProvider.getToken()).rejects.not.toThrow(expired);
    const garbage = new BearerTokenProvider({ login: scriptedLogin(['not a token']), now: () => new Date(T0) });
    await expect(garbage.getToken()).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('uses a token shorter-lived than the margin for half its life instead of logging in on every call', async () => {
    let now = T0;
    const login = scriptedLogin([jwtExpiringAt(T0 + 30_000, 'a'), jwtExpiringAt(T0 + 60_000, 'b')]);
    const provider = new BearerTokenProvider({ login, refreshMarginMs: 60_000, now: () => new Date(now) });
    await provider.getToken();
    now = T0 + 14_999;
    await provider.getToken();
    expect(login).toHaveBeenCalledTimes(1);
    now = T0 + 15_000;
    await provider.getToken();
    expect(login).toHaveBeenCalledTimes(2);
  });

  it('keeps a token without a readable exp until it is invalidated', async () => {
    let now = T0;
    const login = scriptedLogin(['opaque-1', 'opaque-2']);
    const provider = new BearerTokenProvider({ login, now: () => new Date(now) });
    expect(await provider.getToken()).toBe('opaque-1');
    now += 86_400_000;
    expect(await provider.getToken()).toBe('opaque-1');
    provider.invalidate('opaque-1');
    expect(await provider.getToken()).toBe('opaque-2');
  });

  it('ignores the invalidation of a token that was already replaced', async () => {
    const login = scriptedLogin(['opaque-1', 'opaque-2', 'opaque-3']);
    const provider = new BearerTokenProvider({ login, now: () => new Date(T0) });
    await provider.getToken();
    provider.invalidate('opaque-1');
    expect(await provider.getToken()).toBe('opaque-2');
    provider.invalidate('opaque-1');
    expect(await provider.getToken()).toBe('opaque-2');
    expect(login).toHaveBeenCalledTimes(2);
  });

  it('on a 401 drops the token, logs in again and retries once', async () => {
    const login = scriptedLogin(['opaque-1', 'opaque-2', 'opaque-3']);
    const provider = new BearerTokenProvider({ login, now: () => new Date(T0) });
    const sent: string[] = [];
    const response = await provider.send((token) => {
      sent.push(token);
      return Promise.resolve({ status: token === 'opaque-1' ? 401 : 200 });
    });
    expect(response.status).toBe(200);
    expect(sent).toEqual(['opaque-1', 'opaque-2']);

    const stillUnauthorized = await provider.send((token) => {
      sent.push(token);
      return Promise.resolve({ status: 401 });
    });
    expect(stillUnauthorized.status).toBe(401);
    expect(sent).toEqual(['opaque-1', 'opaque-2', 'opaque-2', 'opaque-3']);
  });

  it('lets concurrent 401s share one new login', async () => {
    const login = scriptedLogin(['opaque-1', 'opaque-2', 'opaque-3']);
    const provider = new BearerTokenProvider({ login, now: () => new Date(T0) });
    await provider.getToken();
    const request = (token: string) => Promise.resolve({ status: token === 'opaque-1' ? 401 : 200, token });
    const responses = await Promise.all([provider.send(request), provider.send(request), provider.send(request)]);
    expect(responses.map((response) => response.token)).toEqual(['opaque-2', 'opaque-2', 'opaque-2']);
    expect(login).toHaveBeenCalledTimes(2);
  });
});
