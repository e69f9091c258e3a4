import { SECOND } from '../core/time';

const WINDOW_MS = SECOND;
export const TRADE_LIMIT_PER_SECOND = 20;
export const CANCEL_LIMIT_PER_SECOND = 30;
export const TRADE_BLOCK_MS = 5 * SECOND;

/**
 * The documented TAPI rate limits, on the wall clock: 20 trade requests per second per account
 * and pair (going over blocks that pair for 5 seconds), 30 cancel requests per second per account.
 */
export class TapiRateLimits {
  private readonly windows = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** False when this trade request is over the limit (or the pair is blocked). */
  allowTrade(userId: string, pairId: string): boolean {
    const key = `trade:${userId}:${pairId}`;
    const now = this.now();
    if ((this.blockedUntil.get(key) ?? 0) > now) return false;
    if (this.hit(key, now) > TRADE_LIMIT_PER_SECOND) {
      this.blockedUntil.set(key, now + TRADE_BLOCK_MS);
      return false;
    }
    return true;
  }

  allowCancel(userId: string): boolean {
    return this.hit(`cancel:${userId}`, this.now()) <= CANCEL_LIMIT_PER_SECOND;
  }

  /** Records a request and returns how many fell in the last second, this one included. */
  private hit(key: string, now: number): number {
    const recent = (this.windows.get(key) ?? []).filter((at) => at > now - WINDOW_MS);
    recent.push(now);
    this.windows.set(key, recent);
    return recent.length;
  }
}
