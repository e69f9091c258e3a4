import { verifyBearerToken, verifyCallbackToken } from './static-tokens';
import { VerificationFailureReason } from './verification';

describe('verifyCallbackToken (Xendit-style x-callback-token)', () => {
  it('accepts the configured token and, during a rotation, the previous one', () => {
    expect(verifyCallbackToken({ 'x-callback-token': 'current-token' }, ['current-token'])).toEqual({ ok: true, value: undefined });
    expect(verifyCallbackToken({ 'X-CALLBACK-TOKEN': 'previous-token' }, ['current-token', 'previous-token']).ok).toBe(true);
  });

  it('rejects a wrong, truncated or extended token', () => {
    for (const provided of ['wrong-token', 'current-toke', 'current-tokenX', 'CURRENT-TOKEN']) {
      expect(verifyCallbackToken({ 'x-callback-token': provided }, ['current-token'])).toMatchObject({
        ok: false,
        reason: VerificationFailureReason.InvalidToken,
      });
    }
  });

  it('reports a missing token, and never lets an empty configured token match', () => {
    expect(verifyCallbackToken({}, ['current-token'])).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(verifyCallbackToken({ 'x-callback-token': '' }, [''])).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(verifyCallbackToken({ 'x-callback-token': 'x' }, [''])).toMatchObject({ reason: VerificationFailureReason.InvalidToken });
  });

  it('does not echo the expected token in the failure', () => {
    const result = verifyCallbackToken({ 'x-callback-token': 'guess' }, ['s3cret-callback-token']);
    expect(JSON.stringify(result)).not.toContain('s3cret-callback-token');
  });
});

describe('verifyBearerToken', () => {
  it('accepts a known bearer token, with any case of the scheme', () => {
    expect(verifyBearerToken({ authorization: 'Bearer tok-1' }, ['tok-1'])).toEqual({ ok: true, value: 'tok-1' });
    expect(verifyBearerToken({ authorization: 'bearer tok-2' }, ['tok-1', 'tok-2'])).toEqual({ ok: true, value: 'tok-2' });
  });

  it('distinguishes a missing header, another scheme and an unknown token', () => {
    expect(verifyBearerToken({}, ['tok-1'])).toMatchObject({ reason: VerificationFailureReason.MissingHeader });
    expect(verifyBearerToken({ authorization: 'Basic dXNlcjpwYXNz' }, ['tok-1'])).toMatchObject({
      reason: VerificationFailureReason.MalformedHeader,
    });
    expect(verifyBearerToken({ authorization: 'Bearer' }, ['tok-1'])).toMatchObject({ reason: VerificationFailureReason.MalformedHeader });
    expect(verifyBearerToken({ authorization: 'Bearer a b' }, ['tok-1'])).toMatchObject({
      reason: VerificationFailureReason.MalformedHeader,
    });
    expect(verifyBearerToken({ authorization: 'Bearer tok-9' }, ['tok-1'])).toMatchObject({ reason: VerificationFailureReason.InvalidToken });
  });
});
