import { EventValidationError, type CallbackReceivedEvent } from '@finmesh/schemas';
import { IngressError, IngressErrorCode } from '../http/ingress-error';
import { callbackEventOf } from './callback-event';
import type { CallbackPublisher } from './callback-publisher';
import type { CallbackRecord, CallbackStore } from './callback-store';

/** `accepted`: stored and published now. `duplicate`: the same source and key were accepted before. */
export type AcceptOutcome = 'accepted' | 'duplicate';

/** The parts of the store and the publisher the protocol uses (fakes in unit tests). */
export type IntakeStore = Pick<
  CallbackStore,
  'insertPending' | 'claimPending' | 'statusOf' | 'markPublished' | 'releaseLease' | 'discardPending'
>;
export type IntakePublisher = Pick<CallbackPublisher, 'publish'>;

/** What could not take the callback, for the 503's metric label. */
export type Dependency = 'postgres' | 'kafka' | 'in_flight';

/** The steps of the protocol whose durations are measured. */
export type IntakeStage = 'store' | 'publish' | 'mark_published';

export interface CallbackIntakeOptions {
  publishTimeoutMs: number;
  retryAfterSeconds: number;
  /** How long each step took (successful or not), for the stage latency metric. */
  onStage?: (stage: IntakeStage, seconds: number) => void;
  log?: (level: 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

/**
 * The durability protocol. A verified callback is acknowledged only when it is both stored in
 * PostgreSQL and acknowledged by Kafka (acks=all):
 *
 * 1. INSERT the row as `pending` (leased to this attempt); a unique index on (source,
 *    idempotency key) makes exactly one of any number of concurrent inserts win.
 * 2. Publish callback.received; on success mark the row `published` and answer 2xx.
 * 3. Publish failed or timed out → release the lease and answer 503: the pending row is not an
 *    acceptance, the provider's retry takes it over and publishes it (step 2) exactly once.
 * 4. The key exists: `published` → a duplicate, 2xx without publishing; `pending` with a live
 *    lease → another attempt is on it right now → wait for it in this process, else 503.
 */
export class CallbackIntake {
  private readonly inFlight = new Map<string, Promise<AcceptOutcome>>();

  constructor(
    private readonly store: IntakeStore,
    private readonly publisher: IntakePublisher,
    private readonly options: CallbackIntakeOptions,
  ) {}

  /**
   * Stores and publishes the callback (or recognises it as a duplicate). Throws IngressError
   * `unavailable` (with the dependency as its reason) when it cannot be made durable.
   * `deadline` (epoch ms) bounds the publish for a provider with a hard timeout; `event` is the
   * record's callback.received event when the caller built it already.
   */
  async accept(record: CallbackRecord, deadline?: number, event?: CallbackReceivedEvent): Promise<AcceptOutcome> {
    const key = `${record.source}\n${record.idempotencyKey}`;
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      // A concurrent duplicate in this process: its answer follows the first attempt's.
      await running;
      return 'duplicate';
    }
    const work = this.storeAndPublish(record, deadline, event);
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      if (this.inFlight.get(key) === work) this.inFlight.delete(key);
    }
  }

  /** Publishes stored callbacks again (admin replay) and marks pending ones published. */
  async republish(records: readonly CallbackRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.publisher.publish(records.map(callbackEventOf));
    await Promise.all(records.map((record) => this.store.markPublished(record.id)));
  }

  private async storeAndPublish(
    record: CallbackRecord,
    deadline: number | undefined,
    event: CallbackReceivedEvent | undefined,
  ): Promise<AcceptOutcome> {
    const inserted = await this.timed('store', () => this.onPostgres(record, () => this.store.insertPending(record)));
    if (inserted) {
      await this.publishStored(record, deadline, event);
      return 'accepted';
    }
    const claimed = await this.onPostgres(record, () => this.store.claimPending(record.source, record.idempotencyKey));
    if (claimed !== undefined) {
      // A retry of a callback whose earlier attempt could not be published: publish the stored one.
      await this.publishStored(claimed, deadline);
      return 'accepted';
    }
    const status = await this.onPostgres(record, () => this.store.statusOf(record.source, record.idempotencyKey));
    if (status === 'published') return 'duplicate';
    throw this.unavailable(record, 'in_flight', 'the same callback is being stored by another attempt; retry later');
  }

  private async publishStored(
    record: CallbackRecord,
    deadline: number | undefined,
    event: CallbackReceivedEvent = callbackEventOf(record),
  ): Promise<void> {
    const timeoutMs = Math.max(
      1,
      Math.min(this.options.publishTimeoutMs, deadline === undefined ? Infinity : deadline - Date.now()),
    );
    const publishing = this.publisher.publish([event]);
    const outcome = await this.timed('publish', () => settleWithin(publishing, timeoutMs));
    switch (outcome.kind) {
      case 'published':
        await this.timed('mark_published', () => this.onPostgres(record, () => this.store.markPublished(record.id)));
        return;
      case 'failed':
        if (outcome.error instanceof EventValidationError) {
          // Authentic, but the contract cannot carry it: a refusal for good, not a 503 to retry forever.
          await this.onPostgres(record, () => this.store.discardPending(record.id));
          throw new IngressError(IngressErrorCode.MalformedRequest, `the callback cannot be recorded: ${outcome.error.reason}`, {
            reason: 'malformed_callback',
          });
        }
        this.store.releaseLease(record.id, describe(outcome.error)).catch((error: unknown) => this.bookkeepingFailed(record, error));
        throw this.unavailable(record, 'kafka', 'the callback could not be published to Kafka; retry later', outcome.error);
      case 'timed_out':
        // The send may still complete: then the row is marked after all, else its lease is released.
        publishing
          .then(
            () => this.store.markPublished(record.id),
            (error: unknown) => this.store.releaseLease(record.id, describe(error)),
          )
          .catch((error: unknown) => this.bookkeepingFailed(record, error));
        throw this.unavailable(record, 'kafka', 'Kafka did not acknowledge the callback in time; retry later', new Error(`no acknowledgement within ${timeoutMs} ms`));
    }
  }

  private async timed<T>(stage: IntakeStage, work: () => Promise<T>): Promise<T> {
    if (this.options.onStage === undefined) return work();
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.options.onStage(stage, (performance.now() - started) / 1_000);
    }
  }

  private bookkeepingFailed(record: CallbackRecord, error: unknown): void {
    // The lease runs out on its own; the provider's retry then takes the row over.
    this.options.log?.('warn', `could not record the publish outcome of callback ${record.id}: ${describe(error)}`);
  }

  private async onPostgres<T>(record: CallbackRecord, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error: unknown) {
      throw this.unavailable(record, 'postgres', 'the callback could not be stored; retry later', error);
    }
  }

  private unavailable(record: CallbackRecord, dependency: Dependency, message: string, cause?: unknown): IngressError {
    this.options.log?.('warn', `callback ${record.source}/${record.idempotencyKey} not acknowledged: ${cause === undefined ? message : describe(cause)}`, {
      dependency,
    });
    return new IngressError(IngressErrorCode.Unavailable, message, {
      retryAfterSeconds: this.options.retryAfterSeconds,
      reason: dependency,
      cause,
    });
  }
}

type PublishOutcome = { kind: 'published' } | { kind: 'failed'; error: unknown } | { kind: 'timed_out' };

function settleWithin(publishing: Promise<void>, timeoutMs: number): Promise<PublishOutcome> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    publishing.then(
      (): PublishOutcome => ({ kind: 'published' }),
      (error: unknown): PublishOutcome => ({ kind: 'failed', error }),
    ),
    new Promise<PublishOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed_out' }), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
