import { createIdempotentProducer, EventPublisher, TransientError } from '@finmesh/kafka';
import type { FinmeshEvent } from '@finmesh/schemas';
import type { Kafka, Producer } from 'kafkajs';

export interface CallbackPublisherOptions {
  topicPrefix: string;
  lingerMs: number;
  /** How long boot waits for the first connection before carrying on (answering 503 meanwhile). */
  initialConnectTimeoutMs?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/**
 * The ingress's Kafka producer (idempotent, acks=all through EventPublisher, concurrent publishes
 * coalesced into one send). A broker that is down at boot does not stop the ingress: it keeps
 * trying to connect in the background and, until it has, every publish fails at once — so callbacks
 * are answered 503 (and readiness is down) instead of the process crash-looping.
 */
export class CallbackPublisher {
  private readonly producer: Producer;
  private readonly publisher: EventPublisher;
  private connected = false;
  private closed = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    kafka: Kafka,
    private readonly options: CallbackPublisherOptions,
  ) {
    this.producer = createIdempotentProducer(kafka);
    // One send at a time (the idempotent producer sends one request per broker at a time anyway):
    // callbacks arriving meanwhile share the next send, so the produce requests grow with the load.
    this.publisher = new EventPublisher(this.producer, {
      topicPrefix: options.topicPrefix,
      lingerMs: options.lingerMs,
      maxConcurrentSends: 1,
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Starts connecting; resolves when connected or after the initial timeout, whichever is first. */
  async start(): Promise<void> {
    this.connectInBackground();
    const timeoutMs = this.options.initialConnectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connecting,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Resolves once Kafka acknowledged every event (acks=all); rejects otherwise. */
  async publish(events: readonly FinmeshEvent[]): Promise<void> {
    if (!this.connected) throw new TransientError('the Kafka producer is not connected');
    await this.publisher.publish(events);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    // Not waiting for a connection attempt in progress: against a dead broker it retries for long.
    await this.producer.disconnect().catch(() => undefined);
  }

  private connectInBackground(): void {
    if (this.connecting || this.closed) return;
    this.connecting = this.producer
      .connect()
      .then(
        () => {
          this.connected = true;
          this.options.log?.('info', 'Kafka producer connected');
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.options.log?.('warn', `Kafka producer could not connect, retrying: ${reason}`);
          if (!this.closed) this.retryTimer = setTimeout(() => this.connectInBackground(), 1_000);
        },
      )
      .finally(() => {
        this.connecting = undefined;
      });
  }
}
