import { parseDecimal } from '../../core/money';
import { TapiError } from '../errors';
import type { TapiCall } from '../tapi';
import { findPair, type IndodaxCurrency, type IndodaxPair } from '../currencies';

/** Parameter readers that answer bad input with the TAPI error envelope. */
export function optional(call: TapiCall, name: string): string | undefined {
  const value = call.params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export function required(call: TapiCall, name: string): string {
  const value = optional(call, name);
  if (value === undefined) throw TapiError.of(`Missing parameter: ${name}.`, 'invalid_parameter');
  return value;
}

export function pairParam(call: TapiCall, name = 'pair'): IndodaxPair {
  const id = required(call, name);
  const pair = findPair(id.toLowerCase());
  if (!pair) throw TapiError.of(`Invalid pair: ${id}.`, 'invalid_pair');
  return pair;
}

/** A decimal amount of `currency`, in minor units. */
export function amountParam(value: string, currency: IndodaxCurrency, name: string): bigint {
  const parsed = parseDecimal(value, currency.asset.precision);
  if (!parsed.ok) {
    throw TapiError.of(
      parsed.reason === 'format' ? `Invalid ${name}: ${value} is not a number.` : `Invalid ${name}: ${currency.code} allows ${currency.asset.precision} decimals.`,
      'invalid_amount',
    );
  }
  if (parsed.minor < 0n) throw TapiError.of(`Invalid ${name}: it must not be negative.`, 'invalid_amount');
  return parsed.minor;
}

export function integerParam(call: TapiCall, name: string): number | undefined {
  const value = optional(call, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw TapiError.of(`Invalid ${name}: ${value} is not a whole number.`, 'invalid_parameter');
  return Number(value);
}
