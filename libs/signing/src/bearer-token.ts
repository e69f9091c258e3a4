import { SigningInputError } from './verification';

/**
 * Bearer tokens: the `Authorization: Bearer <token>` header (Fin X, FinDIGI) and, for FinDIGI,
 * a token provider that logs in (with 2FA when the account asks for it), reads the JWT's `exp`,
 * logs in again a margin before expiry, shares one login among concurrent callers and drops a
 * token the API answered 401 to.
 */

/** RFC 6750 `b64token`: what may follow `Bearer ` in an Authorization header. */
const BEARER_TOKEN_FORMAT = /^[A-Za-z0-9\-._~+/]+=*$/;
// A JWT far larger than any real one is not worth parsing.
const MAX_JWT_LENGTH = 16 * 1024;

/** The Authorization header value for a bearer token. */
export function bearerAuthorization(token: string): string {
  if (!BEARER_TOKEN_FORMAT.test(token)) throw new SigningInputError('the bearer token is not a valid RFC 6750 token');
  return `Bearer ${token}`;
}

/** Fin X: `Authorization: Bearer {token}`. */
export function finxRequestHeaders(token: string): { Authorization: string } {
  return { Authorization: bearerAuthorization(token) };
}

/** FinDIGI: the bearer JWT, plus `x-findigi-is-test: true` on every sandbox request. */
export function findigiRequestHeaders(
  token: string,
  options: { sandbox: boolean },
): { Authorization: string; 'x-findigi-is-test'?: 'true' } {
  const headers = { Authorization: bearerAuthorization(token) };
  return options.sandbox ? { ...headers, 'x-findigi-is-test': 'true' } : headers;
}

/**
 * The `exp` claim of a JWT, or undefined when the token is not a JWT with a numeric `exp`. The
 * signature is not checked: the client only needs to know when to log in again, and the API
 * itself rejects a token that is not genuine.
 */
export function decodeJwtExpiry(token: string): Date | undefined {
  if (token.length > MAX_JWT_LENGTH) return undefined;
  const [header, payload, signature, ...extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra.length > 0) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  const exp: unknown = (claims as Record<string, unknown>)['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0) return undefined;
  return new Date(exp * 1000);
}

/** What a login call returns: a token, or a challenge when the account has 2FA. */
export type LoginOutcome<TChallenge> =
  | { kind: 'token'; token: string }
  | { kind: 'two-factor-required'; challenge: TChallenge };

export interface BearerTokenProviderOptions<TChallenge> {
  /** POST /api/auth/login (FinDIGI). */
  login: () => Promise<LoginOutcome<TChallenge>>;
  /** POST /api/auth/login/2fa/verify with the code; returns the token. Needed for 2FA accounts. */
  verifyTwoFactor?: (code: string, challenge: TChallenge) => Promise<string>;
  /** Where 2FA codes come from (a TOTP generator, a mailbox reader). Needed for 2FA accounts. */
  twoFactorCode?: (challenge: TChallenge) => Promise<string>;
  /** Log in again this long before the token expires. Default 60 s. */
  refreshMarginMs?: number;
  now?: () => Date;
}

export type BearerTokenErrorCode = 'two_factor_not_configured' | 'invalid_token' | 'expired_on_arrival';

/** Why the provider could not produce a token; the message never contains the token. */
export class BearerTokenError extends Error {
  constructor(
    readonly code: BearerTokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BearerTokenError';
  }
}

export const DEFAULT_REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  refreshAt: number;
}

export class BearerTokenProvider<TChallenge = unknown> {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  constructor(private readonly options: BearerTokenProviderOptions<TChallenge>) {}

  /** A token valid for at least the refresh margin; concurrent callers share one login. */
  async getToken(): Promise<string> {
    const cached = this.cached;
    if (cached !== undefined && this.nowMs() < cached.refreshAt) return cached.value;
    this.inflight ??= this.obtain().finally(() => {
      this.inflight = undefined;
    });
    return (await this.inflight).value;
  }

  /**
   * Forgets `token` after the API rejected it (401). A token other than the cached one is
   * ignored: a concurrent caller may already have replaced the rejected token with a fresh one.
   */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  /**
   * Sends a request with the current token; on 401 drops that token and sends once more with a
   * fresh one. A second 401 is returned to the caller as it is.
   */
  async send<TResponse extends { status: number }>(request: (token: string) => Promise<TResponse>): Promise<TResponse> {
    const token = await this.getToken();
    const response = await request(token);
    if (response.status !== 401) return response;
    this.invalidate(token);
    return request(await this.getToken());
  }

  private nowMs(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  private async obtain(): Promise<CachedToken> {
    const outcome = await this.options.login();
    const token = outcome.kind === 'token' ? outcome.token : await this.completeTwoFactor(outcome.challenge);
    if (!BEARER_TOKEN_FORMAT.test(token)) {
      throw new BearerTokenError('invalid_token', 'the login returned something that is not a bearer token');
    }
    const obtainedAt = this.nowMs();
    const expiresAt = decodeJwtExpiry(token)?.getTime();
    let refreshAt = Number.POSITIVE_INFINITY;
    if (expiresAt !== undefined) {
      if (expiresAt <= obtainedAt) {
        throw new BearerTokenError('expired_on_arrival', 'the login returned a token that has already expired (check the clock)');
      }
      const margin = this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
      // A token shorter-lived than the margin is still used for half its life, not re-fetched per call.
      refreshAt = Math.max(expiresAt - margin, obtainedAt + (expiresAt - obtainedAt) / 2);
    }
    const cached = { value: token, refreshAt };
    this.cached = cached;
    return cached;
  }

  private async completeTwoFactor(challenge: TChallenge): Promise<string> {
    const { verifyTwoFactor, twoFactorCode } = this.options;
    if (verifyTwoFactor === undefined || twoFactorCode === undefined) {
      throw new BearerTokenError(
        'two_factor_not_configured',
        'the account requires a 2FA code but no code source and verify step are configured',
      );
    }
    return verifyTwoFactor(await twoFactorCode(challenge), challenge);
  }
}
