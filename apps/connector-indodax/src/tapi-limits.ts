import { systemClock, type LimiterClock } from '@finmesh/connector-kit';

/**
 * Indodax counts requests in any one-second window ("20 requests per second per account and
 * pair", "30 requests per second for cancel order") and blocks a pair for 5 seconds when the
 * trade limit is exceeded. A token bucket with a burst would let up to twice the limit through
 * in one window, so this keeps the send times and never lets `limit` + 1 fall in one window.
 */
export class SlidingWindowLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: LimiterClock = systemClock,
  ) {
    if (!(limit >= 1) || !(windowMs > 0)) throw new Error('a sliding window needs limit >= 1 and windowMs > 0');
  }

  /** Resolves when a request under `key` may go out, and counts it; callers of one key are served in order. */
  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.queues.set(key, tail);
    try {
      await previous;
      for (;;) {
        const wait = this.waitMs(key, this.clock.now());
        if (wait === 0) break;
        await this.clock.sleep(wait, signal);
      }
      this.record(key, this.clock.now());
    } finally {
      release();
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }

  /** Counts a request under `key` now if the window and block allow it (0); otherwise how long to wait, counting nothing. */
  tryTake(key: string): number {
    const now = this.clock.now();
    const wait = this.waitMs(key, now);
    if (wait === 0) this.record(key, now);
    return wait;
  }

  /** Holds back every request under `key` until `untilMs` (the exchange's block after a 429). */
  block(key: string, untilMs: number): void {
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, untilMs));
  }

  /** Milliseconds until a request under `key` may go (0: now). */
  waitMs(key: string, now: number): number {
    const blocked = (this.blockedUntil.get(key) ?? 0) - now;
    const recent = this.recent(key, now);
    // The oldest send leaves the window at oldest + windowMs; one more millisecond keeps it strictly outside.
    const oldest = recent.length >= this.limit ? recent[recent.length - this.limit] : undefined;
    const windowWait = oldest === undefined ? 0 : oldest + this.windowMs + 1 - now;
    return Math.max(0, blocked, windowWait);
  }

  private recent(key: string, now: number): number[] {
    const recent = (this.sent.get(key) ?? []).filter((at) => at > now - this.windowMs - 1);
    this.sent.set(key, recent);
    return recent;
  }

  private record(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
  }
}
