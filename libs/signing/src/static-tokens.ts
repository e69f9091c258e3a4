import { constantTimeEqualsAny } from './constant-time';
import { readRequiredHeader, type HeaderSource } from './headers';
import { VerificationFailureReason, verificationFailure, verified, type VerificationResult } from './verification';

/** Xendit-style callbacks carry a static verification token in this header. */
export const CALLBACK_TOKEN_HEADER = 'x-callback-token';

/**
 * Verifies a Xendit-style `x-callback-token` against the accepted tokens (the current one, plus
 * the previous one while a rotation is under way), comparing with every token in constant time.
 */
export function verifyCallbackToken(headers: HeaderSource, acceptedTokens: readonly string[]): VerificationResult<void> {
  const provided = readRequiredHeader(headers, CALLBACK_TOKEN_HEADER);
  if (!provided.ok) return provided;
  return matchesAccepted(provided.value, acceptedTokens, `header ${CALLBACK_TOKEN_HEADER} matches no accepted token`);
}

/**
 * Verifies `Authorization: Bearer <token>` against static accepted tokens (the Fin X sandbox),
 * in constant time. Returns the token so a caller can tell which credential was used.
 */
export function verifyBearerToken(headers: HeaderSource, acceptedTokens: readonly string[]): VerificationResult<string> {
  const authorization = readRequiredHeader(headers, 'Authorization');
  if (!authorization.ok) return authorization;
  const match = /^Bearer +(\S+)$/i.exec(authorization.value);
  const token = match?.[1];
  if (token === undefined) {
    return verificationFailure(VerificationFailureReason.MalformedHeader, 'header Authorization is not a Bearer credential');
  }
  const result = matchesAccepted(token, acceptedTokens, 'header Authorization carries no accepted token');
  return result.ok ? verified(token) : result;
}

function matchesAccepted(provided: string, acceptedTokens: readonly string[], detail: string): VerificationResult<void> {
  // An empty configured token must never match a header that happens to be empty after trimming.
  const usable = acceptedTokens.filter((token) => token.length > 0);
  return constantTimeEqualsAny(usable, provided)
    ? verified(undefined)
    : verificationFailure(VerificationFailureReason.InvalidToken, detail);
}
