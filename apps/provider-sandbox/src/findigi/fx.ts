import { formatMinor, parseDecimal } from '../core/money';
import type { Random } from '../core/random';
import { HOUR, MINUTE, SECOND } from '../core/time';
import { replaceMap } from '../core/replace';

/**
 * FinDIGI's FX reference rates: a seeded random walk per pair, quoted every FX_REFRESH_MS of
 * sandbox time. Rates are integers scaled by 10^10 (the ticker writes ten decimals).
 */
export const RATE_DECIMALS = 10;
export const FX_REFRESH_MS = 10 * SECOND;
/** A quote older than this is expired. */
export const FX_QUOTE_TTL_SECONDS = 60;
const HISTORY_MS = 48 * HOUR;
const SEEDED_HISTORY_STEP_MS = 10 * MINUTE;

const OPENING_RATES: Readonly<Record<string, string>> = {
  'USD/IDR': '16250',
  'USDT/IDR': '16240',
  'USDC/IDR': '16245',
  'USD/SGD': '1.345',
  'USDT/SGD': '1.344',
  'USDC/SGD': '1.3445',
  'SGD/IDR': '12080',
  'EUR/IDR': '17600',
};

export const FX_PAIRS = Object.keys(OPENING_RATES);

export interface RateSnapshot {
  at: number;
  rate: bigint;
}

export class FxBoard {
  private readonly history = new Map<string, RateSnapshot[]>();

  constructor(
    private readonly random: Random,
    startTime: number,
  ) {
    for (const [pair, opening] of Object.entries(OPENING_RATES)) {
      const parsed = parseDecimal(opening, RATE_DECIMALS);
      if (!parsed.ok) throw new Error(`bad opening rate for ${pair}`);
      const snapshots: RateSnapshot[] = [];
      let rate = parsed.minor;
      for (let at = startTime - HISTORY_MS; at <= startTime; at += SEEDED_HISTORY_STEP_MS) {
        snapshots.push({ at, rate });
        rate = this.step(rate);
      }
      this.history.set(pair, snapshots);
    }
  }

  /** The rate history, for a sandbox snapshot. */
  snapshot(): ReadonlyMap<string, RateSnapshot[]> {
    return this.history;
  }

  restore(history: ReadonlyMap<string, RateSnapshot[]>): void {
    replaceMap(this.history, history);
  }

  /** One refresh: every pair moves a little. */
  tick(now: number): void {
    for (const snapshots of this.history.values()) {
      const last = snapshots[snapshots.length - 1];
      if (!last) continue;
      snapshots.push({ at: now, rate: this.step(last.rate) });
      while ((snapshots[0]?.at ?? now) < now - HISTORY_MS) snapshots.shift();
    }
  }

  latest(pair: string): RateSnapshot | undefined {
    const snapshots = this.history.get(pair);
    return snapshots?.[snapshots.length - 1];
  }

  /** The last snapshot at or before `at`. */
  at(pair: string, at: number): RateSnapshot | undefined {
    const snapshots = this.history.get(pair) ?? [];
    for (let i = snapshots.length - 1; i >= 0; i -= 1) {
      const snapshot = snapshots[i];
      if (snapshot && snapshot.at <= at) return snapshot;
    }
    return undefined;
  }

  /** Up to ±0.2 % per step. */
  private step(rate: bigint): bigint {
    const basisPointsTenths = BigInt(this.random.int(-20, 20));
    return rate + (rate * basisPointsTenths) / 10_000n;
  }
}

export function formatRate(rate: bigint): string {
  return formatMinor(rate, RATE_DECIMALS);
}

/** (current − previous) / previous × 100 with four decimals, rounded half away from zero. */
export function changePercent(current: bigint, previous: bigint): string {
  const scaled = (current - previous) * 10_000_000n;
  const tenths = scaled / previous;
  const rounded = tenths >= 0n ? (tenths + 5n) / 10n : (tenths - 5n) / 10n;
  return formatMinor(rounded, 4);
}
