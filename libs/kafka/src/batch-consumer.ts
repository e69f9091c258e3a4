import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { toConsumedRecord, type ConsumedRecord } from './consumed-record';
import { describeDeadLetter, type DeadLetter, type DeadLetterPublisher } from './dead-letter';
import { isTransientError } from './transient-errors';

/** A message the handler refuses for good (schema or business rule): it goes to the DLQ. */
export interface RejectedRecord {
  record: ConsumedRecord;
  reason: string;
}

export interface BatchResult {
  rejected?: readonly RejectedRecord[];
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** 1 for the first try of these records; counts only non-transient failures. */
  attempt: number;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
}

/**
 * Handles a slice of one partition's batch. It must be atomic and idempotent: either all its
 * effects are committed (in one database transaction) or none, and records seen before have no
 * second effect. Offsets are committed only after it resolves.
 */
export type BatchHandler = (records: readonly ConsumedRecord[], context: BatchContext) => Promise<BatchResult | undefined>;

export interface BatchProcessedInfo {
  topic: string;
  partition: number;
  size: number;
  deadLettered: number;
  durationMs: number;
  /** Offset lag of the partition after this batch (high watermark − next offset). */
  lag: number;
}

export interface BatchConsumerLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: BatchHandler;
  deadLetters: DeadLetterPublisher;
  /** Tries of a failing (non-transient) slice before it is split, and a single record dead-lettered. */
  maxAttempts?: number;
  /** Delay before retry `attempt` (1-based); jittered exponential by default. */
  retryDelayMs?: (attempt: number) => number;
  /** A transient failure (database or broker unreachable) is retried without limit, never dead-lettered. */
  isTransient?: (error: unknown) => boolean;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeMs?: number;
  log?: BatchConsumerLogger;
  onBatchProcessed?: (info: BatchProcessedInfo) => void;
}

const silentLog: BatchConsumerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function jitteredBackoff(attempt: number, baseMs = 100, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * A Kafka consumer that hands whole batches to a handler and commits offsets only after the
 * handler's effects are durable. A poison message never blocks its partition: after
 * `maxAttempts` the failing slice is split in halves until the culprit stands alone, and that
 * record goes to `<topic>.dlq` while the rest of the batch is processed.
 */
export class BatchConsumer {
  private consumer: Consumer | undefined;
  private running = false;
  private readonly log: BatchConsumerLogger;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly isTransient: (error: unknown) => boolean;

  constructor(private readonly options: BatchConsumerOptions) {
    this.log = options.log ?? silentLog;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => jitteredBackoff(attempt));
    this.isTransient = options.isTransient ?? isTransientError;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.consumer) throw new Error('the batch consumer is already started');
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 200,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await consumer.disconnect();
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const started = Date.now();
    const records = batch.messages.map((message) => toConsumedRecord(batch.topic, batch.partition, message));
    const shouldContinue = (): boolean => this.running && isRunning() && !isStale();
    const letters = await this.processIsolating(records, batch.topic, batch.partition, heartbeat, shouldContinue);
    if (letters === undefined || !shouldContinue()) return; // stopping or rebalanced: the batch is redelivered

    if (letters.length > 0) {
      for (const letter of letters) this.log.warn(`dead-lettering ${describeDeadLetter(letter)}`);
      await this.options.deadLetters.publish(letters);
    }
    const lastOffset = batch.lastOffset();
    // Moves this member's fetch position past the batch; the commit makes it survive a restart.
    resolveOffset(lastOffset);
    await this.consumer?.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() },
    ]);
    this.options.onBatchProcessed?.({
      topic: batch.topic,
      partition: batch.partition,
      size: records.length,
      deadLettered: letters.length,
      durationMs: Date.now() - started,
      lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n)),
    });
  }

  /** Returns the records to dead-letter, or undefined when stopping before the work was done. */
  private async processIsolating(
    records: readonly ConsumedRecord[],
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
    shouldContinue: () => boolean,
  ): Promise<DeadLetter[] | undefined> {
    let attempt = 1;
    let transientFailures = 0;
    for (;;) {
      try {
        const result = await this.options.handler(records, { topic, partition, attempt, heartbeat });
        return (result?.rejected ?? []).map(({ record, reason }) => ({ record, reason, attempts: attempt }));
      } catch (error: unknown) {
        if (!shouldContinue()) return undefined;
        const message = error instanceof Error ? error.message : String(error);
        if (this.isTransient(error)) {
          transientFailures += 1;
          this.log.warn(`transient failure on ${topic}/${partition}, retrying: ${message}`, { transientFailures });
          await this.pause(this.retryDelayMs(transientFailures), heartbeat, shouldContinue);
          continue;
        }
        if (attempt < this.maxAttempts) {
          this.log.warn(`batch of ${records.length} on ${topic}/${partition} failed (attempt ${attempt}): ${message}`);
          await this.pause(this.retryDelayMs(attempt), heartbeat, shouldContinue);
          attempt += 1;
          continue;
        }
        const [only] = records;
        if (records.length === 1 && only) {
          return [{ record: only, reason: `handler failed ${attempt} times: ${message}`, attempts: attempt }];
        }
        // Isolate the culprit: each half gets its own attempts; the healthy half is processed.
        const middle = Math.ceil(records.length / 2);
        const first = await this.processIsolating(records.slice(0, middle), topic, partition, heartbeat, shouldContinue);
        if (first === undefined) return undefined;
        const second = await this.processIsolating(records.slice(middle), topic, partition, heartbeat, shouldContinue);
        if (second === undefined) return undefined;
        return [...first, ...second];
      }
    }
  }

  private async pause(ms: number, heartbeat: () => Promise<void>, shouldContinue: () => boolean): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && shouldContinue()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, deadline - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}
