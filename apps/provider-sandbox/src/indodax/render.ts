import { formatMinor } from '../core/money';
import { unixSeconds } from '../core/time';
import { jsonNumber } from '../http/json';
import type { IndodaxCurrency } from './currencies';

/** Coins as 8-decimal strings, IDR as a whole-number string. */
export function amountText(entry: IndodaxCurrency, minor: bigint): string {
  return formatMinor(minor, entry.asset.precision);
}

/** Where the documentation shows a JSON number for IDR (`"idr": 0`, `spend_rp`) and a string for coins. */
export function idrNumberOrCoinText(entry: IndodaxCurrency, minor: bigint): unknown {
  return entry.code === 'idr' ? jsonNumber(formatMinor(minor, 0)) : formatMinor(minor, entry.asset.precision);
}

/** Unix seconds as the string the API writes (`"submit_time": "1578909560"`). */
export function secondsText(ms: number): string {
  return String(unixSeconds(ms));
}
