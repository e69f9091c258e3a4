import { Agent, request } from 'undici';
import type { SandboxClock, TaskKind } from './clock';
import type { FaultRegistry } from './faults';
import type { ProviderId } from './providers';
import { MINUTE, SECOND, HOUR, iso } from './time';

/**
 * Outbound calls the providers make to finmesh: webhooks and status notifications (delivered
 * asynchronously, retried on the sandbox clock) and the Indodax withdraw verification (a
 * synchronous call whose answer decides the withdrawal). Callback faults — duplicates, reordering,
 * an endpoint that is down — are applied here, and every attempt is logged for the admin API.
 */
export interface CallbackRequest {
  provider: ProviderId;
  /** What the callback reports, e.g. `wallet_transfer.completed`; callback faults can target it. */
  eventType: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryAttempt {
  /** Sandbox-clock time of the attempt. */
  at: string;
  copy: number;
  status?: number;
  /** The first 200 characters of the answer. */
  responseBody?: string;
  error?: string;
}

export type DeliveryState = 'in_flight' | 'held' | 'delivered' | 'retrying' | 'failed';

export interface CallbackDelivery extends CallbackRequest {
  readonly id: string;
  readonly createdAt: string;
  state: DeliveryState;
  copies: number;
  attempts: DeliveryAttempt[];
}

export interface CallbackDispatcherOptions {
  clock: SandboxClock;
  faults: FaultRegistry;
  /** Delays (sandbox clock) before each retry of an undelivered asynchronous callback. */
  retryScheduleMs?: readonly number[];
  /** Timeout of one asynchronous delivery attempt (wall clock). */
  timeoutMs?: number;
  onError?: (delivery: CallbackDelivery, attempt: DeliveryAttempt) => void;
}

export const DEFAULT_RETRY_SCHEDULE_MS = [30 * SECOND, 2 * MINUTE, 10 * MINUTE, HOUR, 6 * HOUR] as const;
const MAX_LOGGED_DELIVERIES = 2_000;
const RESPONSE_EXCERPT = 200;

interface SendOutcome {
  status?: number;
  body?: string;
  error?: string;
}

/** An asynchronous delivery not settled yet (being sent, or waiting for its retry), with the retries it has had. */
interface PendingDelivery {
  delivery: CallbackDelivery;
  retriesSoFar: number;
}

export interface CallbacksSnapshot {
  nextId: number;
  log: readonly CallbackDelivery[];
  held: ReadonlyMap<ProviderId, readonly CallbackDelivery[]>;
  pending: ReadonlyMap<string, PendingDelivery>;
}

export class CallbackDispatcher {
  private readonly agent = new Agent({ keepAliveTimeout: 1_000, connections: 32 });
  private log: CallbackDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly held = new Map<ProviderId, CallbackDelivery[]>();
  private readonly pending = new Map<string, PendingDelivery>();
  private readonly retry: TaskKind<{ deliveryId: string; retriesSoFar: number }>;
  private nextId = 1;
  private attemptsTotal = 0;
  private closed = false;

  constructor(private readonly options: CallbackDispatcherOptions) {
    this.retry = options.clock.define('callback.retry', ({ deliveryId, retriesSoFar }) => {
      const pending = this.pending.get(deliveryId);
      if (pending === undefined) return;
      pending.delivery.state = 'in_flight';
      this.track(this.attempt(pending.delivery, retriesSoFar));
    });
  }

  /** Deliveries and attempts recorded since start: a cheap sign that their state changed. */
  get changes(): number {
    return this.nextId + this.attemptsTotal;
  }

  /** The live data, for a snapshot serialized right away. */
  snapshot(): CallbacksSnapshot {
    return { nextId: this.nextId, log: this.log, held: this.held, pending: this.pending };
  }

  /**
   * Takes over a snapshot's deliveries: held ones stay held, retries run from the restored clock,
   * and a delivery that was being sent when the snapshot was taken is sent again (receivers
   * deduplicate, as they must for any provider's retries).
   */
  restore(snapshot: CallbacksSnapshot): void {
    this.nextId = snapshot.nextId;
    this.log = [...snapshot.log];
    this.held.clear();
    for (const [provider, queue] of snapshot.held) this.held.set(provider, [...queue]);
    this.pending.clear();
    for (const [id, pending] of snapshot.pending) this.pending.set(id, pending);
    for (const { delivery, retriesSoFar } of this.pending.values()) {
      if (delivery.state === 'in_flight') this.track(this.attempt(delivery, retriesSoFar));
    }
  }

  /** Queues an asynchronous callback; it is sent at once and retried on failure. */
  enqueue(callback: CallbackRequest): CallbackDelivery {
    const delivery = this.record(callback);
    const scope = { provider: callback.provider, operation: callback.eventType };
    const duplicate = this.options.faults.fire(scope, ['callback_duplicate'])[0];
    if (duplicate) delivery.copies = duplicate.copies ?? 2;
    const reorder = this.options.faults.fire(scope, ['callback_reorder'])[0];
    if (reorder) {
      delivery.state = 'held';
      const queue = this.held.get(callback.provider) ?? [];
      queue.push(delivery);
      this.held.set(callback.provider, queue);
      if (queue.length >= (reorder.holdCount ?? 2)) this.releaseHeld(callback.provider);
      return delivery;
    }
    this.track(this.attempt(delivery, 0));
    return delivery;
  }

  /**
   * Sends a callback and waits for the answer; `accept` decides whether the answer counts as a
   * yes. With a duplicate fault every copy must be accepted; with the endpoint down nothing is sent.
   */
  async call(
    callback: CallbackRequest,
    timeoutMs: number,
    accept: (status: number, body: string) => boolean,
  ): Promise<{ accepted: boolean; delivery: CallbackDelivery }> {
    const delivery = this.record(callback);
    const scope = { provider: callback.provider, operation: callback.eventType };
    const duplicate = this.options.faults.fire(scope, ['callback_duplicate'])[0];
    if (duplicate) delivery.copies = duplicate.copies ?? 2;
    if (this.options.faults.fire(scope, ['callback_down']).length > 0) {
      this.addAttempt(delivery, 1, { error: 'connection refused (fault: callback_down)' });
      delivery.state = 'failed';
      return { accepted: false, delivery };
    }
    let accepted = true;
    for (let copy = 1; copy <= delivery.copies; copy += 1) {
      const outcome = await this.send(delivery, timeoutMs);
      this.addAttempt(delivery, copy, outcome);
      if (outcome.status === undefined || !accept(outcome.status, outcome.body ?? '')) accepted = false;
    }
    delivery.state = accepted ? 'delivered' : 'failed';
    return { accepted, delivery };
  }

  deliveries(provider?: ProviderId): CallbackDelivery[] {
    return provider === undefined ? [...this.log] : this.log.filter((delivery) => delivery.provider === provider);
  }

  /** Sends every held (reordered) callback, newest first, and waits for all sends to finish. */
  async flush(): Promise<void> {
    for (const provider of [...this.held.keys()]) this.releaseHeld(provider);
    await this.idle();
  }

  /** Waits until no delivery is being sent. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.agent.close();
  }

  private record(callback: CallbackRequest): CallbackDelivery {
    const delivery: CallbackDelivery = {
      ...callback,
      id: `cb_${this.nextId++}`,
      createdAt: iso(this.options.clock.now()),
      state: 'in_flight',
      copies: 1,
      attempts: [],
    };
    this.log.push(delivery);
    if (this.log.length > MAX_LOGGED_DELIVERIES) this.log.shift();
    return delivery;
  }

  private releaseHeld(provider: ProviderId): void {
    const queue = this.held.get(provider) ?? [];
    this.held.delete(provider);
    // Sent one after another, newest first: the receiver sees them out of order.
    const sendAll = async (): Promise<void> => {
      for (const delivery of queue.reverse()) {
        delivery.state = 'in_flight';
        await this.attempt(delivery, 0);
      }
    };
    this.track(sendAll());
  }

  private async attempt(delivery: CallbackDelivery, retriesSoFar: number): Promise<void> {
    this.pending.set(delivery.id, { delivery, retriesSoFar });
    // Left pending: a snapshot taken at shutdown keeps it, and the next start sends it.
    if (this.closed) return;
    const scope = { provider: delivery.provider, operation: delivery.eventType };
    let delivered = false;
    if (this.options.faults.fire(scope, ['callback_down']).length > 0) {
      this.addAttempt(delivery, 1, { error: 'connection refused (fault: callback_down)' });
    } else {
      for (let copy = 1; copy <= delivery.copies; copy += 1) {
        const outcome = await this.send(delivery, this.options.timeoutMs ?? 5 * SECOND);
        this.addAttempt(delivery, copy, outcome);
        if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) delivered = true;
      }
    }
    if (delivered) {
      delivery.state = 'delivered';
      this.pending.delete(delivery.id);
      return;
    }
    const schedule = this.options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
    const delay = schedule[retriesSoFar];
    if (delay === undefined) {
      delivery.state = 'failed';
      this.pending.delete(delivery.id);
      return;
    }
    // Also while closing: the retry is then part of the state saved at shutdown.
    delivery.state = 'retrying';
    this.retry.in(delay, { deliveryId: delivery.id, retriesSoFar: retriesSoFar + 1 });
  }

  private addAttempt(delivery: CallbackDelivery, copy: number, outcome: SendOutcome): void {
    const attempt: DeliveryAttempt = { at: iso(this.options.clock.now()), copy };
    if (outcome.status !== undefined) attempt.status = outcome.status;
    if (outcome.body !== undefined) attempt.responseBody = outcome.body.slice(0, RESPONSE_EXCERPT);
    if (outcome.error !== undefined) attempt.error = outcome.error;
    delivery.attempts.push(attempt);
    this.attemptsTotal += 1;
    const failed = outcome.error !== undefined || (outcome.status !== undefined && (outcome.status < 200 || outcome.status >= 300));
    if (failed) this.options.onError?.(delivery, attempt);
  }

  private async send(delivery: CallbackDelivery, timeoutMs: number): Promise<SendOutcome> {
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await response.body.text();
      return { status: response.statusCode, body };
    } catch (error: unknown) {
      return { error: describeError(error, timeoutMs) };
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
