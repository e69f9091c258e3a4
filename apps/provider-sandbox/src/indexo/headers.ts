import type { FastifyReply, FastifyRequest } from 'fastify';
import { VerificationFailureReason, verifyIndexoRequestHeaders, type VerificationFailure } from '@finmesh/signing';
import type { SandboxContext } from '../context';
import { apimInvalidKey, apimMissingKey, tppError } from './errors';
import { SANDBOX_PSU_ID } from './model';
import type { IndexoState } from './state';

export interface IndexoCaller {
  requestId: string;
  psuId: string;
  psuIpAddress: string;
}

const PERSONAL_CODE = /^\d{6}-\d{5}$/;

/**
 * The checks every INDEXO call passes, in the order the real stack applies them: the API gateway's
 * subscription key, then the headers and QWAC certificate (verified by @finmesh/signing), then
 * the PSU: `SANDBOX_INDICATOR_1` under the documented sandbox rules, otherwise a known personal
 * code. Answers the failure and returns undefined when a check fails.
 */
export function checkIndexoCaller(
  ctx: SandboxContext,
  state: IndexoState,
  request: FastifyRequest,
  reply: FastifyReply,
): IndexoCaller | undefined {
  const options = ctx.options.indexo;
  const subscriptionKey = request.headers['ocp-apim-subscription-key'];
  if (subscriptionKey === undefined || subscriptionKey === '') {
    apimMissingKey(reply);
    return undefined;
  }
  const verification = verifyIndexoRequestHeaders(request.headers, {
    subscriptionKeys: options.subscriptionKeys,
    ...(options.trustedCertificateFingerprints === undefined ? {} : { trustedCertificateFingerprints: options.trustedCertificateFingerprints }),
    now: () => new Date(ctx.options.wallClock()),
  });
  if (!verification.ok) {
    answerFailure(reply, verification);
    return undefined;
  }
  const { requestId, psuId, psuIpAddress } = verification.value;
  reply.header('x-request-id', requestId);
  if (options.sandboxRules) {
    if (psuId !== SANDBOX_PSU_ID) {
      tppError(reply, 401, 'PSU_CREDENTIALS_INVALID', `In the sandbox the PSU-ID header must be ${SANDBOX_PSU_ID}.`);
      return undefined;
    }
  } else if (!PERSONAL_CODE.test(psuId)) {
    tppError(reply, 400, 'FORMAT_ERROR', 'PSU-ID must be a personal code formatted XXXXXX-XXXXX.');
    return undefined;
  } else if (!state.psus.has(psuId)) {
    tppError(reply, 401, 'PSU_CREDENTIALS_INVALID', 'The PSU-ID is not known to INDEXO.');
    return undefined;
  }
  return { requestId, psuId, psuIpAddress };
}

function answerFailure(reply: FastifyReply, failure: VerificationFailure): void {
  switch (failure.reason) {
    case VerificationFailureReason.UnknownKey:
      apimInvalidKey(reply);
      return;
    case VerificationFailureReason.InvalidCertificate:
      tppError(reply, 401, 'CERTIFICATE_INVALID', `The QWAC certificate is not valid: ${failure.detail}.`);
      return;
    case VerificationFailureReason.MissingHeader:
    case VerificationFailureReason.MalformedHeader:
    case VerificationFailureReason.MalformedBody:
    case VerificationFailureReason.BadSignature:
    case VerificationFailureReason.UnsupportedSignatureVersion:
    case VerificationFailureReason.StaleTimestamp:
    case VerificationFailureReason.FutureTimestamp:
    case VerificationFailureReason.ReplayedNonce:
    case VerificationFailureReason.NonceNotIncreasing:
    case VerificationFailureReason.InvalidToken:
      tppError(reply, 400, 'FORMAT_ERROR', `${capitalise(failure.detail)}.`);
      return;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
