import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@finmesh/signing';
import type { Random } from '../core/random';

/**
 * FinDIGI sessions: the HS256 JWT `POST /api/auth/login` hands out, and the 2FA challenges that
 * stand between login and token for accounts with 2FA on. This is FinDIGI's own token, issued and
 * checked only here; clients treat it as opaque (reading `exp` at most). Times use the wall clock.
 */
export interface SessionClaims {
  sub: string;
  email: string;
  iat: number;
  exp: number;
  iss: string;
  jti: string;
}

export type ChallengeCheck = { kind: 'ok'; userId: string } | { kind: 'invalid_code' } | { kind: 'expired' };

interface Challenge {
  userId: string;
  expiresAt: number;
  attemptsLeft: number;
}

const ISSUER = 'findigi-sandbox';
const CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_ATTEMPTS = 5;

export class FindigiSessions {
  private readonly challenges = new Map<string, Challenge>();
  /** Unexpired tokens by jti (user and exp), so the admin API can revoke them. */
  private readonly issued = new Map<string, { userId: string; exp: number }>();
  /** Revoked jtis until their exp; a revoked token answers 401 like an expired one. */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly options: { secret: string; ttlSeconds: number; twoFactorCode: string; wallClock: () => number },
    private readonly ids: Random,
  ) {}

  issue(user: { id: string; email: string }): { token: string; expiresIn: number } {
    const iat = Math.floor(this.options.wallClock() / 1000);
    const claims: SessionClaims = { sub: user.id, email: user.email, iat, exp: iat + this.options.ttlSeconds, iss: ISSUER, jti: this.ids.uuid() };
    this.forgetExpired(iat);
    this.issued.set(claims.jti, { userId: user.id, exp: claims.exp });
    const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
    return { token: `${signingInput}.${this.sign(signingInput)}`, expiresIn: this.options.ttlSeconds };
  }

  /** The claims of a genuine, unexpired token. */
  verify(token: string): SessionClaims | undefined {
    const [header, payload, signature, ...extra] = token.split('.');
    if (header === undefined || payload === undefined || signature === undefined || extra.length > 0) return undefined;
    if (!constantTimeEqual(this.sign(`${header}.${payload}`), signature)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isClaims(claims) || claims.iss !== ISSUER || this.revoked.has(claims.jti)) return undefined;
    return claims.exp * 1000 > this.options.wallClock() ? claims : undefined;
  }

  /** Revokes every unexpired token (of one user, or of everyone); returns how many. */
  revoke(userId?: string): number {
    let count = 0;
    for (const [jti, token] of this.issued) {
      if (userId !== undefined && token.userId !== userId) continue;
      this.revoked.set(jti, token.exp);
      this.issued.delete(jti);
      count += 1;
    }
    return count;
  }

  private forgetExpired(nowSeconds: number): void {
    for (const [jti, token] of this.issued) if (token.exp <= nowSeconds) this.issued.delete(jti);
    for (const [jti, exp] of this.revoked) if (exp <= nowSeconds) this.revoked.delete(jti);
  }

  startChallenge(userId: string): { challengeId: string; expiresIn: number } {
    const challengeId = this.ids.uuid();
    this.challenges.set(challengeId, { userId, expiresAt: this.options.wallClock() + CHALLENGE_TTL_MS, attemptsLeft: CHALLENGE_ATTEMPTS });
    return { challengeId, expiresIn: CHALLENGE_TTL_MS / 1000 };
  }

  /** A new code is "sent": the challenge's expiry and attempts start over. */
  resend(challengeId: string): { expiresIn: number } | undefined {
    const challenge = this.challenges.get(challengeId);
    if (!challenge) return undefined;
    challenge.expiresAt = this.options.wallClock() + CHALLENGE_TTL_MS;
    challenge.attemptsLeft = CHALLENGE_ATTEMPTS;
    return { expiresIn: CHALLENGE_TTL_MS / 1000 };
  }

  check(challengeId: string, code: string): ChallengeCheck {
    const challenge = this.challenges.get(challengeId);
    if (!challenge || challenge.expiresAt <= this.options.wallClock() || challenge.attemptsLeft <= 0) {
      this.challenges.delete(challengeId);
      return { kind: 'expired' };
    }
    if (!constantTimeEqual(this.options.twoFactorCode, code)) {
      challenge.attemptsLeft -= 1;
      return { kind: 'invalid_code' };
    }
    this.challenges.delete(challengeId);
    return { kind: 'ok', userId: challenge.userId };
  }

  private sign(signingInput: string): string {
    return createHmac('sha256', this.options.secret).update(signingInput).digest('base64url');
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return typeof claims.sub === 'string' && typeof claims.exp === 'number' && typeof claims.iss === 'string' && typeof claims.jti === 'string';
}
