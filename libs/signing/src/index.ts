export {
  SignatureVerificationError,
  SigningInputError,
  VerificationFailureReason,
  assertVerified,
  verificationFailure,
  verified,
} from './verification';
export type { VerificationFailure, VerificationResult, VerificationSuccess } from './verification';
export { constantTimeEqual, constantTimeEqualsAny } from './constant-time';
export { readRequiredHeader } from './headers';
export type { HeaderSource } from './headers';
export type { RawBody } from './encoding';

export { InMemoryReplayStore } from './replay-store';
export type { ReplayCheck, ReplayStore } from './replay-store';
export { PostgresReplayStore } from './postgres-replay-store';
export {
  CreateSigningNonceCounter1790000000001,
  CreateSigningReplayNonce1790000000000,
  NONCE_COUNTER_TABLE,
  REPLAY_NONCE_TABLE,
  SIGNING_MIGRATIONS,
} from './migrations';
export type { SqlExecutor } from './sql-executor';

export {
  INDX_DEFAULT_MAX_AGE_SECONDS,
  INDX_DEFAULT_MAX_FUTURE_SKEW_SECONDS,
  INDX_HEADERS,
  indxCanonicalString,
  indxSignature,
  signIndxRequest,
  verifyIndxRequest,
} from './indx';
export type {
  IndxCanonicalParts,
  IndxCredentials,
  IndxIncomingRequest,
  IndxRequestParts,
  IndxSignOptions,
  IndxSignedHeaders,
  IndxVerifierOptions,
  VerifiedIndxRequest,
} from './indx';

export {
  INDODAX_DEFAULT_RECV_WINDOW_MS,
  INDODAX_HEADERS,
  INDODAX_MAX_FUTURE_SKEW_MS,
  encodeIndodaxBody,
  indodaxSignature,
  signIndodaxRequest,
  verifyIndodaxRequest,
} from './indodax';
export type {
  IndodaxCall,
  IndodaxFreshness,
  IndodaxIncomingRequest,
  IndodaxParamValue,
  IndodaxParams,
  IndodaxSignedRequest,
  IndodaxVerifierOptions,
  VerifiedIndodaxRequest,
} from './indodax';
export { InMemoryIndodaxNonceSource, InMemoryIndodaxNonceTracker, MAX_INDODAX_NONCE } from './indodax-nonces';
export type { IndodaxNonceSource, IndodaxNonceTracker, NonceAdvance } from './indodax-nonces';
export { PostgresIndodaxNonceSource, PostgresIndodaxNonceTracker } from './postgres-indodax-nonces';

export {
  INDEXO_HEADERS,
  buildIndexoHeaders,
  parseQwacCertificate,
  readQwacCertificateFile,
  verifyIndexoRequestHeaders,
} from './indexo';
export type {
  IndexoHeaderInput,
  IndexoHeaderOptions,
  IndexoRequestHeaders,
  IndexoVerifierOptions,
  QwacCertificate,
  VerifiedIndexoRequest,
} from './indexo';

export {
  BearerTokenError,
  BearerTokenProvider,
  DEFAULT_REFRESH_MARGIN_MS,
  bearerAuthorization,
  decodeJwtExpiry,
  findigiRequestHeaders,
  finxRequestHeaders,
} from './bearer-token';
export type { BearerTokenErrorCode, BearerTokenProviderOptions, LoginOutcome } from './bearer-token';

export {
  STANDARD_WEBHOOK_DEFAULT_TOLERANCE_SECONDS,
  STANDARD_WEBHOOK_HEADERS,
  STANDARD_WEBHOOK_SECRET_PREFIX,
  createStandardWebhookVerifier,
  generateStandardWebhookSecret,
  parseStandardWebhookSecret,
  signStandardWebhook,
  standardWebhookSignature,
  verifyStandardWebhook,
} from './standard-webhooks';
export type {
  StandardWebhookHeaders,
  StandardWebhookIncoming,
  StandardWebhookMessage,
  StandardWebhookVerifierOptions,
  VerifiedStandardWebhook,
  VerifiedStandardWebhookWithKey,
} from './standard-webhooks';

export { CALLBACK_TOKEN_HEADER, verifyBearerToken, verifyCallbackToken } from './static-tokens';
