import { z } from 'zod';
import { deterministicEventId, type IdentityPart } from '../event-id';
import { AccountClosedEventSchema } from './account-closed';
import { BalanceUpdatedEventSchema } from './balance-updated';
import { CallbackReceivedEventSchema } from './callback-received';
import { LedgerDiscrepancyEventSchema } from './ledger-discrepancy';
import { PaymentStatusChangedEventSchema } from './payment-status-changed';
import { TransactionPostedEventSchema } from './transaction-posted';

export const EVENT_SCHEMAS = {
  'balance.updated': BalanceUpdatedEventSchema,
  'transaction.posted': TransactionPostedEventSchema,
  'payment.status_changed': PaymentStatusChangedEventSchema,
  'callback.received': CallbackReceivedEventSchema,
  'ledger.discrepancy': LedgerDiscrepancyEventSchema,
  'account.closed': AccountClosedEventSchema,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export const FinmeshEventSchema = z
  .discriminatedUnion('type', [
    BalanceUpdatedEventSchema,
    TransactionPostedEventSchema,
    PaymentStatusChangedEventSchema,
    CallbackReceivedEventSchema,
    LedgerDiscrepancyEventSchema,
    AccountClosedEventSchema,
  ])
  .meta({ id: 'FinmeshEvent', description: 'Any finmesh event; `type` tells which.' });

export type FinmeshEvent = z.infer<typeof FinmeshEventSchema>;
export type EventOfType<Type extends EventType> = Extract<FinmeshEvent, { type: Type }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before its id is derived from its content. */
export type EventWithoutId = DistributiveOmit<FinmeshEvent, 'id'>;

/**
 * The parts that identify the provider fact an event reports: the same fact always yields the
 * same parts, so re-syncs and duplicate callbacks produce the same id and the consumer's
 * processed-events table drops them. The version of the fact is part of it (a balance's
 * timestamp and amounts, a payment's raw status, a transaction's booked/pending status).
 */
export function eventIdentityParts(event: EventWithoutId): IdentityPart[] {
  switch (event.type) {
    case 'balance.updated':
      return [
        event.type,
        event.provider,
        event.account.key,
        event.data.asset,
        event.data.asOf,
        event.data.providerVersion ?? null,
        event.data.booked.amount,
        event.data.available?.amount ?? null,
        event.data.onHold?.amount ?? null,
      ];
    case 'transaction.posted':
      return [event.type, event.provider, event.account.key, event.data.providerTransactionId, event.data.status];
    case 'payment.status_changed':
      return [
        event.type,
        event.provider,
        event.payment.key,
        event.data.rawStatus.scheme,
        event.data.rawStatus.code,
        event.data.providerStatusVersion ?? null,
      ];
    case 'callback.received':
      return [event.type, event.provider, event.data.sourceName, event.data.idempotencyKey];
    case 'ledger.discrepancy':
      return [event.type, event.provider, event.account.key, event.data.asset, event.data.balanceEventId, event.data.status];
    case 'account.closed':
      return [event.type, event.provider, event.account.key];
  }
}

/**
 * The same identity, as field paths, for documentation and for other languages: an absent
 * optional field is encoded as JSON null. Tests keep it equal to eventIdentityParts.
 */
export const EVENT_IDENTITY_FIELDS: { readonly [Type in EventType]: readonly string[] } = {
  'balance.updated': [
    'type',
    'provider',
    'account.key',
    'data.asset',
    'data.asOf',
    'data.providerVersion',
    'data.booked.amount',
    'data.available.amount',
    'data.onHold.amount',
  ],
  'transaction.posted': ['type', 'provider', 'account.key', 'data.providerTransactionId', 'data.status'],
  'payment.status_changed': [
    'type',
    'provider',
    'payment.key',
    'data.rawStatus.scheme',
    'data.rawStatus.code',
    'data.providerStatusVersion',
  ],
  'callback.received': ['type', 'provider', 'data.sourceName', 'data.idempotencyKey'],
  'ledger.discrepancy': ['type', 'provider', 'account.key', 'data.asset', 'data.balanceEventId', 'data.status'],
  'account.closed': ['type', 'provider', 'account.key'],
};

/** The deterministic id of an event's fact (see eventIdentityParts). */
export function eventIdOf(event: EventWithoutId): string {
  return deterministicEventId(eventIdentityParts(event));
}
