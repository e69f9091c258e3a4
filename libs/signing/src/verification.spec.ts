import {
  SignatureVerificationError,
  VerificationFailureReason,
  assertVerified,
  verificationFailure,
  verified,
  type VerificationFailure,
} from './verification';

/** How an ingress maps reasons to HTTP statuses; lint fails here when a reason is added and not mapped. */
function httpStatusFor(failure: VerificationFailure): 400 | 401 | 409 {
  switch (failure.reason) {
    case VerificationFailureReason.MissingHeader:
    case VerificationFailureReason.MalformedHeader:
    case VerificationFailureReason.MalformedBody:
      return 400;
    case VerificationFailureReason.UnknownKey:
    case VerificationFailureReason.BadSignature:
    case VerificationFailureReason.UnsupportedSignatureVersion:
    case VerificationFailureReason.StaleTimestamp:
    case VerificationFailureReason.FutureTimestamp:
    case VerificationFailureReason.InvalidToken:
    case VerificationFailureReason.InvalidCertificate:
      return 401;
    case VerificationFailureReason.ReplayedNonce:
    case VerificationFailureReason.NonceNotIncreasing:
      return 409;
  }
}

describe('verification results', () => {
  it('gives every reason a distinct wire code that a switch maps exhaustively', () => {
    const reasons = Object.values(VerificationFailureReason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) {
      expect([400, 401, 409]).toContain(httpStatusFor(verificationFailure(reason, 'detail')));
    }
  });

  it('unwraps a success and throws the reason of a failure', () => {
    expect(assertVerified(verified(42))).toBe(42);
    const failure = verificationFailure(VerificationFailureReason.BadSignature, 'header X does not match');
    expect(() => assertVerified(failure)).toThrow(SignatureVerificationError);
    try {
      assertVerified(failure);
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(SignatureVerificationError);
      expect((error as SignatureVerificationError).reason).toBe(VerificationFailureReason.BadSignature);
      expect((error as SignatureVerificationError).message).toBe('bad_signature: header X does not match');
    }
  });
});
