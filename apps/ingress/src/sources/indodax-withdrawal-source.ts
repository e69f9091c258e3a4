import { VerificationFailureReason } from '@finmesh/signing';
import { INDODAX_WITHDRAW_SOURCE } from '../config';
import { BodyFormatError, readFields } from '../http/bodies';
import { IngressError, IngressErrorCode } from '../http/ingress-error';
import type { ExpectedWithdrawal } from '../withdrawals/expected-withdrawals';
import type { IncomingCallback, VerifiedCallback } from './incoming-callback';

/** The parameters Indodax posts to the callback URL (indodax-private-api: withdrawCoin). */
export interface IndodaxWithdrawCallback {
  requestId: string;
  currency: string;
  address: string;
  amount: string;
  memo: string;
  username: string | undefined;
  requesterIp: string | undefined;
  requestDate: string | undefined;
}

export interface WithdrawalLookup {
  /** The requested withdrawal, waiting up to `timeoutMs` for it to be announced; undefined if still unknown. */
  waitFor(requestId: string, timeoutMs: number): Promise<ExpectedWithdrawal | undefined>;
}

export interface IndodaxRejection {
  reason: IngressErrorCode.WithdrawalNotRequested | IngressErrorCode.WithdrawalMismatch;
  /** Which fields differ (names only) or why the request is unknown. */
  detail: string;
  requestId: string;
}

export interface IndodaxWithdrawalSourceOptions {
  /** The longest a callback waits for its withdrawal request to arrive from Kafka. */
  waitMs: number;
  /** Called for a callback refused on its content, before the refusal is answered. */
  onRejected?: (rejection: IndodaxRejection, incoming: IncomingCallback) => Promise<void>;
  onWaited?: (outcome: 'found' | 'not_found', seconds: number) => void;
}

const REQUEST_ID = /^[A-Za-z0-9]{1,255}$/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Indodax's withdraw verification callback (`POST /callbacks/indodax/withdrawals`). Indodax asks
 * "did you request this withdrawal?" and goes ahead only on the answer `ok`. There is no
 * signature: the check is that finmesh itself requested a withdrawal with this request_id and
 * that every field matches what it sent — currency, address, amount, memo, username. An unknown
 * request_id waits (bounded) for the announcing payment.status_changed event, which may still be
 * on its way through Kafka.
 */
export class IndodaxWithdrawalSource {
  readonly name = INDODAX_WITHDRAW_SOURCE;

  constructor(
    private readonly withdrawals: WithdrawalLookup,
    private readonly options: IndodaxWithdrawalSourceOptions,
  ) {}

  async verify(incoming: IncomingCallback, deadline: number): Promise<VerifiedCallback> {
    const callback = parseWithdrawCallback(incoming);
    const started = Date.now();
    const waitMs = Math.max(0, Math.min(this.options.waitMs, deadline - started));
    const expected = await this.withdrawals.waitFor(callback.requestId, waitMs);
    this.options.onWaited?.(expected === undefined ? 'not_found' : 'found', (Date.now() - started) / 1_000);

    let rejection: IndodaxRejection | undefined;
    if (expected === undefined) {
      rejection = {
        reason: IngressErrorCode.WithdrawalNotRequested,
        detail: `no withdrawal with this request_id was requested (waited ${waitMs} ms)`,
        requestId: callback.requestId,
      };
    } else {
      const differing = mismatchedFields(expected, callback);
      if (differing.length > 0) {
        rejection = {
          reason: IngressErrorCode.WithdrawalMismatch,
          detail: `fields differ from the request: ${differing.join(', ')}`,
          requestId: callback.requestId,
        };
      }
    }
    if (rejection !== undefined) {
      await this.options.onRejected?.(rejection, incoming);
      // The caller is told only that the withdrawal is not confirmed; the details are in the record.
      throw new IngressError(rejection.reason, 'the withdrawal is not confirmed', { reason: rejection.reason });
    }
    return {
      source: this.name,
      provider: 'indodax',
      idempotencyKey: callback.requestId,
      verification: { scheme: 'indodax-withdraw-request' },
      occurredAt: incoming.receivedAt,
    };
  }
}

/** Reads the callback's parameters; a missing or repeated parameter is a malformed request. */
export function parseWithdrawCallback(incoming: IncomingCallback): IndodaxWithdrawCallback {
  const malformed = (message: string): IngressError =>
    new IngressError(IngressErrorCode.MalformedRequest, message, { reason: VerificationFailureReason.MalformedBody });
  let fields: Array<{ name: string; value: string }>;
  try {
    fields = readFields(incoming.contentType, incoming.body);
  } catch (error: unknown) {
    if (error instanceof BodyFormatError) throw malformed(error.message);
    throw error;
  }
  const values = new Map<string, string>();
  for (const { name, value } of fields) {
    if (values.has(name)) throw malformed(`parameter ${JSON.stringify(name.slice(0, 64))} is sent more than once`);
    values.set(name, value);
  }
  const required = (name: string): string => {
    const value = values.get(name);
    if (value === undefined || value === '') throw malformed(`parameter ${name} is missing`);
    return value;
  };
  const requestId = required('request_id');
  if (!REQUEST_ID.test(requestId)) throw malformed('parameter request_id must be 1 to 255 letters and digits');
  return {
    requestId,
    currency: required('withdraw_currency'),
    amount: required('withdraw_amount'),
    address: values.get('withdraw_address') ?? '',
    memo: values.get('withdraw_memo') ?? '',
    username: values.get('withdraw_username'),
    requesterIp: values.get('requester_ip'),
    requestDate: values.get('request_date'),
  };
}

/**
 * The fields of the callback that differ from the request finmesh sent. Currency is compared
 * without case (finmesh sends lower case); the amount as an exact decimal ("10" = "10.00000000",
 * no float involved); address, memo and username exactly.
 */
export function mismatchedFields(expected: ExpectedWithdrawal, callback: IndodaxWithdrawCallback): string[] {
  const differing: string[] = [];
  if (expected.conflicting) differing.push('request (announced twice with different fields)');
  if (callback.currency.toLowerCase() !== expected.currency.toLowerCase()) differing.push('withdraw_currency');
  if (!sameDecimal(callback.amount, expected.amount)) differing.push('withdraw_amount');
  if (callback.address !== expected.address) differing.push('withdraw_address');
  if (callback.memo !== (expected.memo ?? '')) differing.push('withdraw_memo');
  if ((callback.username ?? '') !== (expected.username ?? '')) differing.push('withdraw_username');
  return differing;
}

/** Exact decimal equality of two non-negative decimal strings; anything else is unequal. */
export function sameDecimal(a: string, b: string): boolean {
  const normalized = (value: string): string | undefined => {
    const match = DECIMAL.exec(value);
    if (match === null) return undefined;
    const integer = (match[1] ?? '').replace(/^0+(?=\d)/, '');
    const fraction = (match[2] ?? '').replace(/0+$/, '');
    return fraction === '' ? integer : `${integer}.${fraction}`;
  };
  const left = normalized(a);
  return left !== undefined && left === normalized(b);
}
