import { z } from 'zod';

/**
 * The normalized payment lifecycle. Every provider's raw status maps to one of these; the rank
 * orders them so that polling and callbacks, arriving in any order, converge on the latest state.
 */
export const PAYMENT_STATUSES = [
  'initiated',
  'pending_authorisation',
  'pending_approval',
  'accepted',
  'processing',
  'settled',
  'rejected',
  'failed',
  'cancelled',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const TERMINAL_PAYMENT_STATUSES = ['settled', 'rejected', 'failed', 'cancelled'] as const satisfies readonly PaymentStatus[];
export type TerminalPaymentStatus = (typeof TERMINAL_PAYMENT_STATUSES)[number];

export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES).meta({
  id: 'PaymentStatus',
  description:
    'Normalized payment status: initiated → pending_authorisation → pending_approval → accepted → processing → settled | rejected | failed | cancelled.',
});

/** Position in the lifecycle; the four terminal statuses share the last rank. */
export const PAYMENT_STATUS_RANK: Readonly<Record<PaymentStatus, number>> = {
  initiated: 0,
  pending_authorisation: 1,
  pending_approval: 2,
  accepted: 3,
  processing: 4,
  settled: 5,
  rejected: 5,
  failed: 5,
  cancelled: 5,
};

export const PAYMENT_STATUS_MEANING: Readonly<Record<PaymentStatus, string>> = {
  initiated: 'finmesh or the provider has recorded the payment; nothing is authorised yet',
  pending_authorisation: 'waiting for the customer to authorise it (SCA)',
  pending_approval: 'authorised by the customer, waiting for an approver (maker-checker) or the provider’s checks',
  accepted: 'accepted by the provider, not yet executing',
  processing: 'being executed (sent to the rail / chain)',
  settled: 'done: the money has moved',
  rejected: 'refused by the provider or an approver',
  failed: 'attempted and failed',
  cancelled: 'withdrawn or expired before execution',
};

export function isTerminalPaymentStatus(status: PaymentStatus): status is TerminalPaymentStatus {
  return (TERMINAL_PAYMENT_STATUSES as readonly PaymentStatus[]).includes(status);
}

/**
 * Forward transitions: a status may move to any status of a higher rank, because providers skip
 * steps (INDEXO can go from RCVD straight to ACSC). Terminal statuses go nowhere.
 */
export const ALLOWED_PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  initiated: ['pending_authorisation', 'pending_approval', 'accepted', 'processing', ...TERMINAL_PAYMENT_STATUSES],
  pending_authorisation: ['pending_approval', 'accepted', 'processing', ...TERMINAL_PAYMENT_STATUSES],
  pending_approval: ['accepted', 'processing', ...TERMINAL_PAYMENT_STATUSES],
  accepted: ['processing', ...TERMINAL_PAYMENT_STATUSES],
  processing: [...TERMINAL_PAYMENT_STATUSES],
  settled: [],
  rejected: [],
  failed: [],
  cancelled: [],
};

export function isAllowedTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return ALLOWED_PAYMENT_TRANSITIONS[from].includes(to);
}

/**
 * - `apply`: move the payment to `incoming` (no current status yet, or a forward transition);
 * - `same`: nothing changes (a duplicate poll or callback);
 * - `ignore-stale`: `incoming` is older than what is known: record it, never move backwards;
 * - `invalid`: two different terminal outcomes (e.g. settled, then rejected): a person must look.
 */
export type TransitionDecision = 'apply' | 'same' | 'ignore-stale' | 'invalid';

export function decideTransition(current: PaymentStatus | undefined, incoming: PaymentStatus): TransitionDecision {
  if (current === undefined) return 'apply';
  if (current === incoming) return 'same';
  if (isAllowedTransition(current, incoming)) return 'apply';
  if (isTerminalPaymentStatus(current) && isTerminalPaymentStatus(incoming)) return 'invalid';
  return 'ignore-stale';
}
