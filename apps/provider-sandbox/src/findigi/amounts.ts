import { parseDecimal, type Asset } from '../core/money';
import { decimalField } from '../http/body';

/** A positive amount in the wallet's currency, or what is wrong with it. */
export function positiveAmount(value: unknown, assetValue: Asset, field = 'amount'): bigint | string {
  const text = decimalField(value);
  if (text === undefined) return `${field} is required as a decimal string, e.g. "100000".`;
  const parsed = parseDecimal(text, assetValue.precision);
  if (!parsed.ok) {
    return parsed.reason === 'format'
      ? `${field} "${text}" is not a decimal number.`
      : `${field} "${text}" has more decimals than ${assetValue.code} allows (${assetValue.precision}).`;
  }
  if (parsed.minor <= 0n) return `${field} must be greater than zero.`;
  return parsed.minor;
}
