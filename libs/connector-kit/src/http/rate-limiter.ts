/** At most `requestsPerSecond` on average, with bursts of up to `burst` requests. */
export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

export interface RateLimiterOptions {
  /** Every request to the provider counts against this one. */
  provider?: RateLimit;
  /** Requests to one logical endpoint (`transactions.list`) also count against its own limit. */
  endpoints?: Readonly<Record<string, RateLimit>>;
  clock?: LimiterClock;
}

/** Time for the limiter; tests give a fake one so no test sleeps. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('aborted');
}

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** Milliseconds until a token is available (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.limit.requestsPerSecond) * 1000);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed / 1000) * this.limit.requestsPerSecond);
    this.updatedAt = now;
  }
}

/**
 * Token buckets per provider and per endpoint, plus pauses ordered by the provider (a 429's
 * Retry-After holds back every request to that endpoint, not only the one that was refused).
 * Waiters of one endpoint are served in arrival order.
 */
export class RateLimiter {
  private readonly clock: LimiterClock;
  private readonly providerBucket: TokenBucket | undefined;
  private readonly endpointBuckets = new Map<string, TokenBucket>();
  private readonly pausedUntil = new Map<string, number>();
  private providerPausedUntil = 0;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    for (const limit of [options.provider, ...Object.values(options.endpoints ?? {})]) {
      if (limit !== undefined && (!(limit.requestsPerSecond > 0) || !(limit.burst >= 1))) {
        throw new Error('a rate limit needs requestsPerSecond > 0 and burst >= 1');
      }
    }
    this.providerBucket = options.provider ? new TokenBucket(options.provider, this.clock.now()) : undefined;
  }

  /** Resolves when a request to `endpoint` may go out; rejects if `signal` aborts first. */
  async acquire(endpoint: string, signal?: AbortSignal): Promise<void> {
    const previous = this.queues.get(endpoint) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.queues.set(endpoint, tail);
    try {
      await previous;
      await this.waitForTokens(endpoint, signal);
    } finally {
      release();
      if (this.queues.get(endpoint) === tail) this.queues.delete(endpoint);
    }
  }

  /** Holds back requests to `endpoint` (or, without one, to the whole provider) until `untilMs`. */
  pause(untilMs: number, endpoint?: string): void {
    if (endpoint === undefined) {
      this.providerPausedUntil = Math.max(this.providerPausedUntil, untilMs);
      return;
    }
    this.pausedUntil.set(endpoint, Math.max(this.pausedUntil.get(endpoint) ?? 0, untilMs));
  }

  private async waitForTokens(endpoint: string, signal: AbortSignal | undefined): Promise<void> {
    const endpointBucket = this.endpointBucket(endpoint);
    for (;;) {
      const now = this.clock.now();
      const paused = Math.max(this.providerPausedUntil, this.pausedUntil.get(endpoint) ?? 0) - now;
      const wait = Math.max(0, paused, endpointBucket?.waitMs(now) ?? 0, this.providerBucket?.waitMs(now) ?? 0);
      if (wait === 0) {
        endpointBucket?.take(now);
        this.providerBucket?.take(now);
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }

  private endpointBucket(endpoint: string): TokenBucket | undefined {
    const limit = this.options.endpoints?.[endpoint];
    if (limit === undefined) return undefined;
    let bucket = this.endpointBuckets.get(endpoint);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock.now());
      this.endpointBuckets.set(endpoint, bucket);
    }
    return bucket;
  }
}
