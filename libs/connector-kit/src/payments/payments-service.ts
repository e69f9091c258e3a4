import { createHash, randomUUID } from 'node:crypto';
import {
  accountRef,
  createEvent,
  decideTransition,
  isTerminalPaymentStatus,
  normalizeProviderStatus,
  paymentRef,
  PaymentStatusSchema,
  type AccountRef,
  type EventSource,
  type LosslessJsonValue,
  type Money,
  type PaymentRef,
  type PaymentStatus,
} from '@finmesh/schemas';
import type { Pool, PoolClient } from 'pg';
import { ConnectorApiError } from '../api/connector-api-error';
import type { InitiatedPayment, PaymentInitiator, PaymentObservation, ResourceReader, TrackedPayment } from '../contract/capabilities';
import type { Connector } from '../contract/connector';
import { UpstreamError } from '../errors/upstream-error';
import { describeError, silentLogger, type ConnectorLogger } from '../logging';
import type { StatusDecisionName } from '../persistence/entities';
import type { EventSink } from '../sync/sync-engine';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface PaymentRow {
  id: string;
  connector: string;
  idempotency_key: string;
  request_hash: string;
  request: LosslessJsonValue;
  state: 'initiating' | 'initiated' | 'refused';
  refusal: { status: number; code: string; message: string } | null;
  provider_payment_id: string | null;
  account_id: string | null;
  amount: string | null;
  asset: string | null;
  status: string | null;
  raw_scheme: string | null;
  raw_code: string | null;
  status_version: string | null;
  status_occurred_at: Date | null;
  terminal: boolean;
  correlation_id: string;
  created_at: Date;
  updated_at: Date;
}

interface StatusRow {
  event_id: string;
  status: string;
  raw_scheme: string;
  raw_code: string;
  status_version: string | null;
  decision: StatusDecisionName;
  source: string;
  reason: string | null;
  occurred_at: Date;
  observed_at: Date;
}

export interface PaymentStatusHistoryEntry {
  eventId: string;
  status: PaymentStatus;
  rawStatus: { scheme: string; code: string };
  providerStatusVersion?: string;
  decision: StatusDecisionName;
  source: string;
  reason?: string;
  occurredAt: string;
  observedAt: string;
}

/** A payment as the connector's API shows it. */
export interface PaymentView {
  id: string;
  idempotencyKey: string;
  state: 'initiated' | 'refused';
  provider: string;
  providerPaymentId?: string;
  payment?: PaymentRef;
  account?: AccountRef;
  amount?: Money;
  status?: PaymentStatus;
  rawStatus?: { scheme: string; code: string };
  terminal: boolean;
  refusal?: { status: number; code: string; message: string };
  request: LosslessJsonValue;
  correlationId: string;
  createdAt: string;
  updatedAt: string;
  history: PaymentStatusHistoryEntry[];
}

export interface InitiationResult {
  /** True when this key was seen before with the same body: nothing new was created. */
  replayed: boolean;
  payment: PaymentView;
}

export type ObservationOutcome = 'published' | 'already-known' | 'unknown-payment';

export interface PaymentsObserver {
  statusPublished?(info: { decision: StatusDecisionName; status: PaymentStatus }): void;
}

export interface PaymentsServiceOptions {
  connector: Connector;
  pool: Pool;
  publisher: EventSink;
  resources: ResourceReader;
  /** When the tracker first looks at a new payment. */
  firstCheckAfterMs: number;
  log?: ConnectorLogger;
  observer?: PaymentsObserver;
  now?: () => Date;
}

/**
 * Payments through the connector: `Idempotency-Key` semantics (same key and body → the same
 * payment; same key, other body → 409; concurrent requests with one key → one payment, because
 * the row lock serialises them), the payment records, and every observed status turned into a
 * `payment.status_changed` event that never moves a payment backwards.
 */
export class PaymentsService {
  private readonly log: ConnectorLogger;
  private readonly now: () => Date;

  constructor(private readonly options: PaymentsServiceOptions) {
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? (() => new Date());
  }

  get accepting(): boolean {
    return this.options.connector.has('initiate_payment');
  }

  async initiate(input: { idempotencyKey: string | undefined; body: unknown; correlationId: string; signal?: AbortSignal }): Promise<InitiationResult> {
    const initiator = this.options.connector.handler('initiate_payment');
    if (!initiator) throw new ConnectorApiError('capability_not_declared', `connector ${this.options.connector.name} does not initiate payments`);
    const key = input.idempotencyKey;
    if (key === undefined || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ConnectorApiError('idempotency_key_required', 'an Idempotency-Key header of 1-255 printable ASCII characters is required');
    }
    const parsed = initiator.requestSchema.safeParse(input.body);
    if (!parsed.success) {
      throw new ConnectorApiError(
        'invalid_request',
        'the payment request is not valid',
        parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
      );
    }
    const request = toStoredJson(input.body);
    const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');

    // The transaction decides; views are read after the connection is back in the pool, so
    // requests waiting on the row lock can never exhaust the pool between them.
    const decided = await this.inTransaction(async (client): Promise<{ replayed: PaymentRow } | { created: { row: PaymentRow; initiated: InitiatedPayment } }> => {
      const now = this.now();
      // Concurrent requests with one key block on the unique index, then on the row lock.
      await client.query(
        `INSERT INTO connector_payments (id, connector, idempotency_key, request_hash, request, state, correlation_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'initiating', $6, $7, $7)
         ON CONFLICT (connector, idempotency_key) DO NOTHING`,
        [randomUUID(), this.options.connector.name, key, requestHash, JSON.stringify(request), input.correlationId, now],
      );
      const row = (
        await client.query<PaymentRow>('SELECT * FROM connector_payments WHERE connector = $1 AND idempotency_key = $2 FOR UPDATE', [
          this.options.connector.name,
          key,
        ])
      ).rows[0];
      if (!row) throw new Error('the payment row vanished inside its own transaction');
      if (row.request_hash !== requestHash) throw new ConnectorApiError('idempotency_conflict', 'this Idempotency-Key was used with a different request body');
      switch (row.state) {
        case 'initiated':
          return { replayed: row };
        case 'refused':
          return { replayed: row };
        case 'initiating':
          return { created: { row, initiated: await this.callProvider(client, row, initiator, parsed.data, input.signal) } };
      }
    });
    if ('replayed' in decided) {
      if (decided.replayed.state === 'refused') throw refusalError(decided.replayed);
      return { replayed: true, payment: await this.viewOf(decided.replayed) };
    }
    const created = decided.created;
    const { row, initiated } = created;
    // The first status goes out now; if Kafka is down the tracker publishes it at its first check.
    await this.observe(row.id, initiated, 'command').catch((error: unknown) => {
      this.log.warn('the initial payment status could not be published yet; the tracker will', { paymentId: row.id, error: describeError(error) });
    });
    const view = await this.get(row.id);
    if (!view) throw new Error(`payment ${row.id} disappeared`);
    return { replayed: false, payment: view };
  }

  /** Calls the provider inside the row's transaction; a definitive refusal is stored so the key keeps answering it. */
  private async callProvider(
    client: PoolClient,
    row: PaymentRow,
    initiator: PaymentInitiator,
    request: unknown,
    signal: AbortSignal | undefined,
  ): Promise<InitiatedPayment> {
    const providerIdempotencyKey = `finmesh-${createHash('sha256').update(`${this.options.connector.name}\n${row.idempotency_key}`).digest('hex').slice(0, 40)}`;
    let initiated: InitiatedPayment;
    try {
      initiated = await initiator.initiate(request, {
        providerIdempotencyKey,
        resources: this.options.resources,
        signal: signal ?? new AbortController().signal,
      });
    } catch (error: unknown) {
      if (error instanceof UpstreamError && !error.retryable) {
        const refusal = ConnectorApiError.fromUpstream(error);
        await client.query(`UPDATE connector_payments SET state = 'refused', refusal = $2, updated_at = $3 WHERE id = $1`, [
          row.id,
          JSON.stringify({ status: refusal.status, code: refusal.code, message: refusal.message }),
          this.now(),
        ]);
        // Kept (committed) so the key keeps answering this refusal.
        throw new RefusalToKeep(refusal);
      }
      if (error instanceof UpstreamError) throw ConnectorApiError.fromUpstream(error);
      throw error;
    }
    const now = this.now();
    await client.query(
      `UPDATE connector_payments
          SET state = 'initiated', provider_payment_id = $2, account_id = $3, amount = $4, asset = $5,
              next_check_at = $6, updated_at = $7
        WHERE id = $1`,
      [row.id, initiated.providerPaymentId, initiated.accountId, initiated.amount.amount, initiated.amount.asset, new Date(now.getTime() + this.options.firstCheckAfterMs), now],
    );
    return initiated;
  }

  /**
   * Runs work in a transaction on one pooled connection: committed when it returns (or throws
   * RefusalToKeep, whose refusal is then thrown), rolled back otherwise.
   */
  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.options.pool.connect();
    // A connection dropped while checked out must reject the query in flight, not crash the process.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await work(client);
      } catch (error: unknown) {
        if (error instanceof RefusalToKeep) {
          await client.query('COMMIT');
          throw error.refusal;
        }
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await client.query('COMMIT');
      return result;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  /**
   * Applies a status the provider reported (poll, callback or command response): publishes its
   * event unless this exact status was published before, and moves the payment only forward.
   */
  async observe(paymentId: string, observation: PaymentObservation, source: Exclude<EventSource, 'ledger'>): Promise<ObservationOutcome> {
    const result = await this.inTransaction(async (client): Promise<{ outcome: ObservationOutcome; decision?: StatusDecisionName; status?: PaymentStatus }> => {
      const row = (await client.query<PaymentRow>('SELECT * FROM connector_payments WHERE id = $1 FOR UPDATE', [paymentId])).rows[0];
      if (!row || row.state !== 'initiated' || row.provider_payment_id === null || row.account_id === null || row.amount === null || row.asset === null) {
        return { outcome: 'unknown-payment' };
      }
      const provider = this.options.connector.provider;
      const incoming = normalizeProviderStatus(observation.rawStatus.scheme, observation.rawStatus.code);
      const current = parseStatus(row.status);
      const decision = decideTransition(current, incoming);
      const event = createEvent('payment.status_changed', {
        provider,
        source,
        occurredAt: observation.occurredAt,
        observedAt: this.now().toISOString(),
        account: accountRef(provider, row.account_id),
        payment: paymentRef(provider, row.provider_payment_id),
        correlationId: row.correlation_id,
        data: {
          amount: { amount: row.amount, asset: row.asset },
          status: incoming,
          rawStatus: observation.rawStatus,
          ...(current === undefined ? {} : { previousStatus: current }),
          ...(observation.providerStatusVersion === undefined ? {} : { providerStatusVersion: observation.providerStatusVersion }),
          ...(observation.reason === undefined ? {} : { reason: observation.reason }),
        },
      });
      const known = await client.query('SELECT 1 FROM connector_payment_statuses WHERE payment_id = $1 AND event_id = $2', [row.id, event.id]);
      if ((known.rowCount ?? 0) > 0) return { outcome: 'already-known' };
      // Published while the row is locked: a concurrent poll and callback cannot both decide.
      await this.options.publisher.publish([event]);
      const now = this.now();
      await client.query(
        `INSERT INTO connector_payment_statuses (payment_id, event_id, status, raw_scheme, raw_code, status_version, decision, source, reason, occurred_at, observed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
        [
          row.id,
          event.id,
          incoming,
          observation.rawStatus.scheme,
          observation.rawStatus.code,
          observation.providerStatusVersion ?? null,
          decision,
          source,
          observation.reason ?? null,
          new Date(observation.occurredAt),
          now,
        ],
      );
      switch (decision) {
        case 'apply':
        case 'same':
          // 'same' keeps the normalized status but records the provider's newer raw status.
          await client.query(
            `UPDATE connector_payments
                SET status = $2, raw_scheme = $3, raw_code = $4, status_version = $5, status_occurred_at = $6, terminal = $7, updated_at = $8
              WHERE id = $1`,
            [row.id, incoming, observation.rawStatus.scheme, observation.rawStatus.code, observation.providerStatusVersion ?? null, new Date(observation.occurredAt), isTerminalPaymentStatus(incoming), now],
          );
          break;
        case 'ignore-stale':
          this.log.info('an older payment status arrived late; published, not applied', { paymentId: row.id, current, incoming });
          break;
        case 'invalid':
          this.log.error('a payment reported two different final outcomes; published for a person to resolve', { paymentId: row.id, current, incoming });
          break;
      }
      return { outcome: 'published', decision, status: incoming };
    });
    if (result.decision !== undefined && result.status !== undefined) this.options.observer?.statusPublished?.({ decision: result.decision, status: result.status });
    return result.outcome;
  }

  async observeByProviderId(providerPaymentId: string, observation: PaymentObservation, source: Exclude<EventSource, 'ledger'>): Promise<ObservationOutcome> {
    const found = await this.options.pool.query<{ id: string }>('SELECT id FROM connector_payments WHERE connector = $1 AND provider_payment_id = $2', [
      this.options.connector.name,
      providerPaymentId,
    ]);
    const id = found.rows[0]?.id;
    return id === undefined ? 'unknown-payment' : this.observe(id, observation, source);
  }

  async get(id: string): Promise<PaymentView | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
    const row = (await this.options.pool.query<PaymentRow>('SELECT * FROM connector_payments WHERE connector = $1 AND id = $2', [this.options.connector.name, id]))
      .rows[0];
    return row && row.state !== 'initiating' ? this.viewOf(row) : undefined;
  }

  /** Claims payments whose status is due for a check (other replicas skip them until `leaseMs` passes). */
  async claimDue(limit: number, leaseMs: number): Promise<TrackedPayment[]> {
    const now = this.now();
    const result = await this.options.pool.query<PaymentRow>(
      `UPDATE connector_payments SET next_check_at = $3
        WHERE id IN (
          SELECT id FROM connector_payments
           WHERE connector = $1 AND state = 'initiated' AND NOT terminal AND next_check_at <= $2
           ORDER BY next_check_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [this.options.connector.name, now, new Date(now.getTime() + leaseMs), limit],
    );
    return result.rows.flatMap((row) => {
      if (row.provider_payment_id === null || row.account_id === null || row.amount === null || row.asset === null) return [];
      return [
        {
          id: row.id,
          providerPaymentId: row.provider_payment_id,
          accountId: row.account_id,
          amount: { amount: row.amount, asset: row.asset },
          request: row.request,
          status: parseStatus(row.status),
        },
      ];
    });
  }

  async scheduleCheck(id: string, delayMs: number, failed: boolean): Promise<void> {
    await this.options.pool.query(
      `UPDATE connector_payments SET next_check_at = $2, check_failures = CASE WHEN $3 THEN check_failures + 1 ELSE 0 END WHERE id = $1`,
      [id, new Date(this.now().getTime() + delayMs), failed],
    );
  }

  private async viewOf(row: PaymentRow): Promise<PaymentView> {
    const provider = this.options.connector.provider;
    const history = await this.options.pool.query<StatusRow>(
      'SELECT * FROM connector_payment_statuses WHERE payment_id = $1 ORDER BY observed_at, occurred_at',
      [row.id],
    );
    const status = parseStatus(row.status);
    return {
      id: row.id,
      idempotencyKey: row.idempotency_key,
      state: row.state === 'refused' ? 'refused' : 'initiated',
      provider,
      ...(row.provider_payment_id === null ? {} : { providerPaymentId: row.provider_payment_id, payment: paymentRef(provider, row.provider_payment_id) }),
      ...(row.account_id === null ? {} : { account: accountRef(provider, row.account_id) }),
      ...(row.amount === null || row.asset === null ? {} : { amount: { amount: row.amount, asset: row.asset } }),
      ...(status === undefined ? {} : { status }),
      ...(row.raw_scheme === null || row.raw_code === null ? {} : { rawStatus: { scheme: row.raw_scheme, code: row.raw_code } }),
      terminal: row.terminal,
      ...(row.refusal === null ? {} : { refusal: row.refusal }),
      request: row.request,
      correlationId: row.correlation_id,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      history: history.rows.map((entry) => ({
        eventId: entry.event_id,
        status: PaymentStatusSchema.parse(entry.status),
        rawStatus: { scheme: entry.raw_scheme, code: entry.raw_code },
        ...(entry.status_version === null ? {} : { providerStatusVersion: entry.status_version }),
        decision: entry.decision,
        source: entry.source,
        ...(entry.reason === null ? {} : { reason: entry.reason }),
        occurredAt: entry.occurred_at.toISOString(),
        observedAt: entry.observed_at.toISOString(),
      })),
    };
  }
}

/** Thrown inside a payment transaction: commit what was written, then answer with the refusal. */
class RefusalToKeep extends Error {
  constructor(readonly refusal: ConnectorApiError) {
    super(refusal.message);
  }
}

function refusalError(row: PaymentRow): ConnectorApiError {
  const refusal = row.refusal;
  if (!refusal) return new ConnectorApiError('internal', 'the payment was refused but the refusal was not kept');
  const code = refusal.code === 'provider_not_found' ? 'provider_not_found' : refusal.code === 'provider_auth_failed' ? 'provider_auth_failed' : 'provider_refused';
  return new ConnectorApiError(code, refusal.message, { replayed: true });
}

function parseStatus(value: string | null): PaymentStatus | undefined {
  return value === null ? undefined : PaymentStatusSchema.parse(value);
}

/** The request as stored: JSON without floats (our API takes amounts as strings; a stray number is kept as text). */
function toStoredJson(value: unknown): LosslessJsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(toStoredJson);
  if (typeof value === 'object') {
    const result: Record<string, LosslessJsonValue> = {};
    for (const [name, entry] of Object.entries(value as Record<string, unknown>)) if (entry !== undefined) result[name] = toStoredJson(entry);
    return result;
  }
  return null;
}

/** JSON with object keys sorted: two bodies that differ only in key order or spacing are the same request. */
export function canonicalJson(value: LosslessJsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(value[name] ?? null)}`)
    .join(',')}}`;
}
