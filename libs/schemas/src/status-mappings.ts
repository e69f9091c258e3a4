import { z } from 'zod';
import { ContractError } from './errors';
import type { PaymentStatus } from './payment-status';
import { identifierSchema, type Provider } from './primitives';

/**
 * Where a raw status code comes from, so readers know how much to trust the mapping:
 * `provider-doc` — it appears in the provider's documentation (shared/providers);
 * `standard` — from the standard the provider follows (ISO 20022, Berlin Group NextGenPSD2);
 * `assumed` — finmesh's definition where the provider documents none (the sandbox follows it).
 */
export type StatusCodeOrigin = 'provider-doc' | 'standard' | 'assumed';

export interface RawStatusMapping {
  status: PaymentStatus;
  meaning: string;
  origin: StatusCodeOrigin;
}

export interface StatusScheme {
  provider: Provider;
  title: string;
  codes: Readonly<Record<string, RawStatusMapping>>;
}

export const STATUS_SCHEME_NAMES = [
  'indexo.iso20022',
  'indexo.sca',
  'indx.transfer',
  'indodax.withdraw',
  'findigi.transfer',
] as const;
export type StatusSchemeName = (typeof STATUS_SCHEME_NAMES)[number];

function code(status: PaymentStatus, origin: StatusCodeOrigin, meaning: string): RawStatusMapping {
  return { status, origin, meaning };
}

/** Raw codes are matched exactly (case-sensitive): the raw status is kept verbatim beside the normalized one. */
export const STATUS_SCHEMES: Readonly<Record<StatusSchemeName, StatusScheme>> = {
  'indexo.iso20022': {
    provider: 'indexo',
    title: 'INDEXO payment transactionStatus (ISO 20022 ExternalPaymentTransactionStatus1Code)',
    codes: {
      RCVD: code('initiated', 'provider-doc', 'received by the bank, nothing checked yet'),
      PATC: code('pending_authorisation', 'standard', 'partially accepted technically: further authorisations are needed'),
      PDNG: code('pending_approval', 'standard', 'pending: the bank will run further checks'),
      ACTC: code('accepted', 'standard', 'accepted after authentication and technical validation'),
      ACCP: code('accepted', 'standard', 'accepted after the customer profile check'),
      ACFC: code('accepted', 'standard', 'accepted, funds checked and available'),
      ACWC: code('accepted', 'standard', 'accepted with a change (e.g. the execution date)'),
      PART: code('accepted', 'standard', 'partially accepted (some transactions of a bulk)'),
      ACSP: code('processing', 'standard', 'accepted, settlement in process'),
      ACWP: code('processing', 'standard', 'accepted without posting to the customer account yet'),
      ACSC: code('settled', 'standard', 'settlement completed on the debtor account'),
      ACCC: code('settled', 'standard', 'settlement completed on the creditor account'),
      RJCT: code('rejected', 'standard', 'rejected by the bank'),
      CANC: code('cancelled', 'standard', 'cancelled before execution'),
    },
  },
  'indexo.sca': {
    provider: 'indexo',
    title: 'INDEXO payment authorisation scaStatus (Berlin Group NextGenPSD2)',
    codes: {
      received: code('pending_authorisation', 'standard', 'authorisation created, the customer has not started'),
      psuIdentified: code('pending_authorisation', 'standard', 'the customer is identified'),
      psuAuthenticated: code('pending_authorisation', 'standard', 'the customer is authenticated'),
      scaMethodSelected: code('pending_authorisation', 'standard', 'an SCA method is chosen'),
      started: code('pending_authorisation', 'standard', 'the challenge is with the customer (INDEXO app, decoupled)'),
      unconfirmed: code('pending_authorisation', 'standard', 'SCA done, a confirmation step is outstanding'),
      finalised: code('pending_approval', 'provider-doc', 'the customer authorised; the bank has yet to accept'),
      exempted: code('pending_approval', 'standard', 'no SCA needed (exemption); the bank has yet to accept'),
      failed: code('failed', 'provider-doc', 'authorisation failed: the payment will not execute'),
    },
  },
  'indx.transfer': {
    provider: 'indx',
    title: 'INDX wire transfer / transfer status (not documented by INDX: defined by finmesh)',
    codes: {
      pending: code('accepted', 'assumed', 'submitted and accepted, not yet executing'),
      processing: code('processing', 'assumed', 'being executed'),
      completed: code('settled', 'assumed', 'executed, money moved'),
      failed: code('failed', 'assumed', 'execution failed'),
      cancelled: code('cancelled', 'assumed', 'cancelled before execution'),
    },
  },
  'indodax.withdraw': {
    provider: 'indodax',
    title: 'Indodax withdrawCoin / transHistory withdraw status',
    codes: {
      requested: code('initiated', 'assumed', 'finmesh announces the withdrawCoin request before sending it, so the ingress can verify Indodax’s callback'),
      approved: code('accepted', 'provider-doc', 'withdrawCoin accepted the request (address withdrawal)'),
      wait: code('accepted', 'provider-doc', 'withdrawCoin accepted the request and queued it (username withdrawal)'),
      pending: code('processing', 'assumed', 'being executed, no final outcome yet'),
      success: code('settled', 'provider-doc', 'withdrawal done (transHistory)'),
      failed: code('failed', 'assumed', 'withdrawal failed (e.g. withdrawCoin refused it because the verification callback did not answer ok)'),
      rejected: code('rejected', 'assumed', 'refused by Indodax on review'),
      cancelled: code('cancelled', 'assumed', 'cancelled before execution'),
    },
  },
  'findigi.transfer': {
    provider: 'findigi',
    title: 'FinDIGI transfer / payout / FinVault transaction status (modelled on the documented awaiting_approval)',
    codes: {
      pending: code('initiated', 'assumed', 'created, not yet approved or executed'),
      awaiting_approval: code('pending_approval', 'provider-doc', 'waiting for a checker (approval_mode, maker-checker)'),
      approved: code('accepted', 'assumed', 'approved by the checker'),
      processing: code('processing', 'assumed', 'being executed'),
      completed: code('settled', 'assumed', 'executed, money moved'),
      success: code('settled', 'assumed', 'executed, money moved (alternative spelling)'),
      rejected: code('rejected', 'assumed', 'refused by the checker or the rail'),
      failed: code('failed', 'assumed', 'execution failed'),
      cancelled: code('cancelled', 'assumed', 'cancelled before execution'),
      expired: code('cancelled', 'assumed', 'not approved or executed in time'),
    },
  },
};

export const StatusSchemeNameSchema = z.enum(STATUS_SCHEME_NAMES).meta({
  id: 'StatusScheme',
  description: 'Which raw status vocabulary `code` belongs to: <provider>.<vocabulary>.',
});

export const RawProviderStatusSchema = z
  .strictObject({
    scheme: StatusSchemeNameSchema,
    code: identifierSchema(64).describe("The provider's status code, verbatim (case-sensitive)."),
  })
  .meta({
    id: 'RawProviderStatus',
    description: "The provider's own status, kept verbatim beside the normalized one.",
  });
export type RawProviderStatus = z.infer<typeof RawProviderStatusSchema>;

export class UnknownProviderStatusError extends ContractError {
  constructor(
    readonly scheme: StatusSchemeName,
    readonly rawCode: string,
  ) {
    const known = Object.keys(STATUS_SCHEMES[scheme].codes).join(', ');
    const shown = JSON.stringify(rawCode.length > 64 ? `${rawCode.slice(0, 64)}…` : rawCode);
    super('unknown_provider_status', `unknown ${scheme} status ${shown}; known: ${known}`);
  }
}

export function findStatusMapping(scheme: StatusSchemeName, rawCode: string): RawStatusMapping | undefined {
  const codes = STATUS_SCHEMES[scheme].codes;
  return Object.hasOwn(codes, rawCode) ? codes[rawCode] : undefined;
}

/** Maps a provider's raw status to the normalized one; an unknown raw status is an error, never a default. */
export function normalizeProviderStatus(scheme: StatusSchemeName, rawCode: string): PaymentStatus {
  const mapping = findStatusMapping(scheme, rawCode);
  if (mapping === undefined) throw new UnknownProviderStatusError(scheme, rawCode);
  return mapping.status;
}

export function statusSchemesOf(provider: Provider): StatusSchemeName[] {
  return STATUS_SCHEME_NAMES.filter((name) => STATUS_SCHEMES[name].provider === provider);
}
