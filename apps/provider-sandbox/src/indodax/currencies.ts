import { asset, type Asset } from '../core/money';

/**
 * Indodax currencies. IDR has no decimals; every coin is shown (and kept) with 8 decimals, as the
 * API renders them, so the ground truth uses `BTC/8`, `ETH/8`, `USDT/8`…
 */
export interface IndodaxCurrency {
  readonly code: string;
  readonly asset: Asset;
  /** Withdrawal networks and their fees (minor units); empty for IDR. */
  readonly networks: Readonly<Record<string, bigint>>;
  /** Most a user may withdraw per day (minor units). */
  readonly dailyLimit: bigint;
}

const COIN = 100_000_000n;

export const CURRENCIES: readonly IndodaxCurrency[] = [
  { code: 'idr', asset: asset('IDR', 0), networks: {}, dailyLimit: 0n },
  { code: 'btc', asset: asset('BTC', 8), networks: { mainnet: 20_000n }, dailyLimit: COIN / 4n },
  { code: 'eth', asset: asset('ETH', 8), networks: { eth: 300_000n, arb: 50_000n, op: 50_000n, base: 50_000n }, dailyLimit: 10n * COIN },
  { code: 'usdt', asset: asset('USDT', 8), networks: { erc20: 5n * COIN, trc20: COIN, bep20: COIN / 2n }, dailyLimit: 10_000n * COIN },
  { code: 'ltc', asset: asset('LTC', 8), networks: { mainnet: 100_000n }, dailyLimit: 25n * COIN },
  { code: 'doge', asset: asset('DOGE', 8), networks: { mainnet: 5n * COIN }, dailyLimit: 50_000n * COIN },
];

export function currency(code: string): IndodaxCurrency | undefined {
  return CURRENCIES.find((candidate) => candidate.code === code);
}

export interface IndodaxPair {
  readonly id: string;
  readonly base: IndodaxCurrency;
  readonly quote: IndodaxCurrency;
  /** Opening price: quote minor units per one whole base unit. */
  readonly openingPrice: bigint;
}

function pair(baseCode: string, quoteCode: string, openingPrice: bigint): IndodaxPair {
  const base = currency(baseCode);
  const quote = currency(quoteCode);
  if (!base || !quote) throw new Error(`unknown currency in pair ${baseCode}_${quoteCode}`);
  return { id: `${baseCode}_${quoteCode}`, base, quote, openingPrice };
}

export const PAIRS: readonly IndodaxPair[] = [
  pair('btc', 'idr', 1_500_000_000n),
  pair('eth', 'idr', 55_000_000n),
  pair('usdt', 'idr', 16_250n),
  pair('ltc', 'btc', 120_000n),
  pair('doge', 'btc', 250n),
];

export function findPair(id: string): IndodaxPair | undefined {
  return PAIRS.find((candidate) => candidate.id === id);
}

/** `btc_idr` → `BTCIDR`, as the rate-limit message writes it. */
export function compactPairName(id: string): string {
  return id.replace('_', '').toUpperCase();
}
