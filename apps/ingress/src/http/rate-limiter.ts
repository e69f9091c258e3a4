interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-source token buckets: `ratePerSecond` requests a second on average, bursts up to one
 * second's worth. In-process, so the limit is per replica; it protects the ingress and its
 * dependencies from one noisy or hostile source, not a provider's quota.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes a token; returns 0 when allowed, else the seconds until a token is free (for Retry-After). */
  take(key: string, ratePerSecond: number): number {
    const now = this.now();
    const capacity = Math.max(1, ratePerSecond);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1_000) * ratePerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond));
  }
}
