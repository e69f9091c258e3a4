/**
 * Indodax nonces: "an increment integer", each greater than the last one the exchange accepted
 * for the API key. Issued as max(last + 1, now in milliseconds): increasing even when the clock
 * steps back, and close to the clock so a fresh counter (new key, new store) starts above any
 * nonce an earlier client may already have used with the key.
 */
export interface IndodaxNonceSource {
  /** The next nonce for `apiKey`, greater than every nonce this source issued for it before. */
  next(apiKey: string): Promise<bigint>;
}

/** What an Indodax-style verifier concludes about a received nonce. */
export type NonceAdvance = 'accepted' | 'not-increasing';

/** The verify side: remembers the greatest nonce accepted per API key. */
export interface IndodaxNonceTracker {
  /** Accepts `nonce` and records it when it is greater than the last accepted one; atomic. */
  advance(apiKey: string, nonce: bigint): Promise<NonceAdvance>;
}

/** The largest value PostgreSQL's bigint (and so the persistent counters) can hold. */
export const MAX_INDODAX_NONCE = 9_223_372_036_854_775_807n;

/** In-process nonce source for unit tests; it forgets its counters on restart, so not for production. */
export class InMemoryIndodaxNonceSource implements IndodaxNonceSource {
  private readonly last = new Map<string, bigint>();

  constructor(private readonly clock: () => number = Date.now) {}

  next(apiKey: string): Promise<bigint> {
    const now = BigInt(Math.floor(this.clock()));
    const previous = this.last.get(apiKey);
    const nonce = previous === undefined || now > previous ? now : previous + 1n;
    this.last.set(apiKey, nonce);
    return Promise.resolve(nonce);
  }
}

/** In-process nonce tracker for unit tests and a single-process sandbox. */
export class InMemoryIndodaxNonceTracker implements IndodaxNonceTracker {
  private readonly lastAccepted = new Map<string, bigint>();

  advance(apiKey: string, nonce: bigint): Promise<NonceAdvance> {
    const previous = this.lastAccepted.get(apiKey);
    if (previous !== undefined && nonce <= previous) return Promise.resolve('not-increasing');
    this.lastAccepted.set(apiKey, nonce);
    return Promise.resolve('accepted');
  }
}
