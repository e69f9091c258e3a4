import type { CallbackReceivedEvent, FinmeshEvent, LosslessJsonValue, Money, PaymentStatus, RawProviderStatus } from '@finmesh/schemas';
import type { z } from 'zod';
import type { ConnectorLogger } from '../logging';

/** What a connector can do. It declares a subset and implements exactly that subset. */
export const CONNECTOR_CAPABILITIES = [
  'fetch_accounts',
  'fetch_external_accounts',
  'fetch_balances',
  'fetch_transactions',
  'initiate_payment',
  'poll_payment_status',
  'translate_callbacks',
] as const;

export type ConnectorCapability = (typeof CONNECTOR_CAPABILITIES)[number];

/** The sync resources, in the order a sync cycle runs them (balances need the accounts first). */
export const SYNC_RESOURCES = ['accounts', 'external_accounts', 'balances', 'transactions'] as const;
export type SyncResource = (typeof SYNC_RESOURCES)[number];

export type SyncCapability = 'fetch_accounts' | 'fetch_external_accounts' | 'fetch_balances' | 'fetch_transactions';

/** A provider object the connector keeps (an account, an external account, a deposit location …). */
export interface ResourceRecord {
  kind: string;
  id: string;
  /** The owning object (a deposit location's account), for listing by parent. */
  parentId?: string;
  /** The provider's representation, parsed losslessly. */
  data: LosslessJsonValue;
}

export interface StoredResource extends ResourceRecord {
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Read access to the kept resources (the balances fetcher lists the accounts the accounts fetcher kept). */
export interface ResourceReader {
  list(kind: string, options?: { parentId?: string; afterId?: string; limit?: number }): Promise<StoredResource[]>;
  get(kind: string, id: string): Promise<StoredResource | undefined>;
}

export interface SyncPageRequest {
  /** null on the very first run; else what the previous page (or run) returned. */
  cursor: string | null;
  /** One per run; goes on every event of the run. */
  correlationId: string;
  /** The time of this page's observation (`observedAt` of its events). */
  observedAt: Date;
  resources: ResourceReader;
  signal: AbortSignal;
  log: ConnectorLogger;
}

export interface SyncPage {
  /** Published (and acknowledged by Kafka) before the cursor moves past this page. */
  events: readonly FinmeshEvent[];
  /** Kept in the resource store in the same step. */
  records?: readonly ResourceRecord[];
  /**
   * Opaque to the kit. With hasMore: where the next page starts. Without: where the next run
   * starts (a watermark), or null to start from the beginning again.
   */
  cursor: string | null;
  hasMore: boolean;
}

/** Reads one page of a resource. Throws UpstreamError for provider failures. */
export interface ResourceFetcher {
  fetchPage(request: SyncPageRequest): Promise<SyncPage>;
}

/** A payment status as the provider reports it. */
export interface PaymentObservation {
  rawStatus: RawProviderStatus;
  /** The provider's status timestamp or sequence, verbatim: part of the event id. */
  providerStatusVersion?: string;
  /** ISO 8601 with offset: when the provider says the status began. */
  occurredAt: string;
  reason?: string;
}

export interface InitiatedPayment extends PaymentObservation {
  providerPaymentId: string;
  /** The provider account the money leaves from. */
  accountId: string;
  amount: Money;
}

export interface InitiateContext {
  /** Derived from the caller's Idempotency-Key: send it to the provider so a retried call creates nothing new. */
  providerIdempotencyKey: string;
  resources: ResourceReader;
  signal: AbortSignal;
}

/**
 * Starts payments. The body of `POST /v1/payments` is validated with `requestSchema` (a failure
 * is a 400 listing every issue) before `initiate` is called.
 */
export interface PaymentInitiator<Request = unknown> {
  readonly requestSchema: z.ZodType<Request>;
  initiate(request: Request, context: InitiateContext): Promise<InitiatedPayment>;
}

/** Types `initiate`'s request from `requestSchema` (an inline handler would see `unknown`). */
export function paymentInitiator<Request>(initiator: PaymentInitiator<Request>): PaymentInitiator {
  return initiator;
}

export interface TrackedPayment {
  id: string;
  providerPaymentId: string;
  accountId: string;
  amount: Money;
  /** The validated request it was created from. */
  request: LosslessJsonValue;
  status: PaymentStatus | undefined;
}

export interface PaymentStatusPoller {
  poll(payment: TrackedPayment, context: { signal: AbortSignal }): Promise<PaymentObservation>;
}

/** A status change for a payment, found in a callback. */
export interface CallbackPaymentUpdate {
  providerPaymentId: string;
  observation: PaymentObservation;
}

export interface CallbackTranslation {
  /** Normalized events to publish (balances, transactions). */
  events: readonly FinmeshEvent[];
  /** Applied to the kept payments like a poll result (never backwards), each publishing its event. */
  paymentUpdates?: readonly CallbackPaymentUpdate[];
}

/**
 * Turns the ingress's verified callbacks for this provider into normalized events. Throw
 * UntranslatableCallbackError for a callback that can never be translated (it is dead-lettered).
 */
export interface CallbackTranslator {
  translate(callback: CallbackReceivedEvent, context: { log: ConnectorLogger }): Promise<CallbackTranslation>;
}

export class UntranslatableCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntranslatableCallbackError';
  }
}

/** The implementation each capability needs. */
export interface CapabilityHandlers {
  fetch_accounts: ResourceFetcher;
  fetch_external_accounts: ResourceFetcher;
  fetch_balances: ResourceFetcher;
  fetch_transactions: ResourceFetcher;
  initiate_payment: PaymentInitiator;
  poll_payment_status: PaymentStatusPoller;
  translate_callbacks: CallbackTranslator;
}
