/** What a replay store says about a nonce: the first use within its window, or a repeat. */
export type ReplayCheck = 'first-time' | 'replay';

/**
 * Remembers nonces until they expire. `seen` is atomic: of any number of concurrent calls with
 * the same scope and nonce, exactly one gets `first-time`. `expiresAt` must lie beyond the last
 * moment the request carrying the nonce could still pass its timestamp check, so a replay is
 * caught for as long as it could otherwise succeed.
 */
export interface ReplayStore {
  /** Records the nonce under `scope` (e.g. `indx:<api key>`) unless it is already recorded. */
  seen(scope: string, nonce: string, expiresAt: Date): Promise<ReplayCheck>;
  /** Forgets nonces whose expiry is before `now`; returns how many were removed. */
  purgeExpired(now?: Date): Promise<number>;
}

/**
 * A replay store in process memory, for unit tests and single-process tools. An expired entry
 * counts as a replay until `purgeExpired` removes it, as in the PostgreSQL store.
 */
export class InMemoryReplayStore implements ReplayStore {
  private readonly expiries = new Map<string, number>();

  // Nothing here awaits; `seen` is async to satisfy the interface its PostgreSQL twin shares.
  seen(scope: string, nonce: string, expiresAt: Date): Promise<ReplayCheck> {
    const key = JSON.stringify([scope, nonce]);
    if (this.expiries.has(key)) return Promise.resolve('replay');
    this.expiries.set(key, expiresAt.getTime());
    return Promise.resolve('first-time');
  }

  purgeExpired(now: Date = new Date()): Promise<number> {
    let removed = 0;
    for (const [key, expiry] of this.expiries) {
      if (expiry < now.getTime()) {
        this.expiries.delete(key);
        removed += 1;
      }
    }
    return Promise.resolve(removed);
  }

  /** How many nonces are held, expired or not. */
  get size(): number {
    return this.expiries.size;
  }
}
