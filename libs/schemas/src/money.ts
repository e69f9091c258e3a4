import { z } from 'zod';
import { ContractError } from './errors';

/**
 * Money is never a float: an integer string of minor units and the asset with its precision,
 * `{ "amount": "12345", "asset": "EUR/2" }` is EUR 123.45. All arithmetic is bigint.
 */

/** Precision (decimals) an asset may declare: 0 (IDR) to 36, beyond ETH's 18 and any token's 30. */
export const MAX_ASSET_PRECISION = 36;
/** Digits an amount may have: bounds message size; 80 digits hold any real balance at precision 36. */
export const MAX_AMOUNT_DIGITS = 80;

const ASSET_PATTERN = /^([A-Z0-9][A-Z0-9._-]{0,31})\/(0|[1-9]|[12]\d|3[0-6])$/;
/** Signed integer without leading zeros, and without "-0" so every amount has one spelling. */
export const AMOUNT_PATTERN = /^(0|-?[1-9]\d*)$/;
const POSITIVE_AMOUNT_PATTERN = /^[1-9]\d*$/;
const NON_NEGATIVE_AMOUNT_PATTERN = /^(0|[1-9]\d*)$/;

export const AssetSchema = z.string().regex(ASSET_PATTERN).meta({
  id: 'Asset',
  description:
    'Asset code and precision as `<CODE>/<decimals>`, e.g. EUR/2, IDR/0, BTC/8, ETH/18, USDT/6. The code is upper case letters, digits, ".", "_" or "-".',
});

function amountSchema(pattern: RegExp, description: string) {
  return z
    .string()
    .max(MAX_AMOUNT_DIGITS + 1)
    .regex(pattern)
    .describe(description);
}

function moneySchema(id: string, amount: z.ZodString, description: string) {
  return z.strictObject({ amount, asset: AssetSchema }).meta({ id, description });
}

export const MoneySchema = moneySchema(
  'Money',
  amountSchema(AMOUNT_PATTERN, 'Integer number of minor units, optionally negative; no leading zeros, no "-0".'),
  'An exact amount: integer minor units as a string plus the asset with its precision. EUR 123.45 is {"amount":"12345","asset":"EUR/2"}.',
);

export const PositiveMoneySchema = moneySchema(
  'PositiveMoney',
  amountSchema(POSITIVE_AMOUNT_PATTERN, 'Integer number of minor units, greater than zero.'),
  'Money whose amount is greater than zero (the direction of a movement is carried elsewhere).',
);

export const NonNegativeMoneySchema = moneySchema(
  'NonNegativeMoney',
  amountSchema(NON_NEGATIVE_AMOUNT_PATTERN, 'Integer number of minor units, zero or more.'),
  'Money whose amount is zero or more.',
);

export type Money = z.infer<typeof MoneySchema>;

export interface ParsedAsset {
  code: string;
  precision: number;
}

export function parseAsset(asset: string): ParsedAsset {
  const match = ASSET_PATTERN.exec(asset);
  const code = match?.[1];
  const precision = match?.[2];
  if (code === undefined || precision === undefined) {
    throw new ContractError(
      'invalid_asset',
      `asset ${show(asset)} is not <CODE>/<precision> with precision 0..${MAX_ASSET_PRECISION} (e.g. EUR/2, BTC/8)`,
    );
  }
  return { code, precision: Number(precision) };
}

export function formatAsset(code: string, precision: number): string {
  const asset = `${code}/${precision}`;
  parseAsset(asset);
  return asset;
}

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Exponents beyond this are refused before any string is built from them. */
const MAX_EXPONENT_DIGITS = 4;
/** Doubles carry 15 significant decimal digits without loss (DBL_DIG); beyond that the text may have changed. */
const MAX_EXACT_FLOAT_DIGITS = 15;

/**
 * Converts a provider's decimal (string or JSON number) into Money, exactly. Accepts a sign, a
 * leading '+', and exponent notation (`1e-8`, `1.5E+3`); rejects whitespace, more non-zero
 * decimals than the asset's precision (never rounds) and numbers a float may already have altered.
 * Trailing zeros beyond the precision are accepted: `"10.00000000"` is exactly IDR 10.
 */
export function moneyFromDecimal(value: string | number, asset: string): Money {
  const { precision } = parseAsset(asset);
  const decimal = typeof value === 'number' ? exactDecimalOfNumber(value, asset) : value;
  return { amount: decimalToMinorUnits(decimal, precision, describeValue(value), asset), asset };
}

/** The reverse of `moneyFromDecimal`: `{ amount: "-12345", asset: "EUR/2" }` → `"-123.45"`, always `precision` decimals. */
export function moneyToDecimal(money: Money): string {
  assertMoney(money);
  const { precision } = parseAsset(money.asset);
  if (precision === 0) return money.amount;
  const negative = money.amount.startsWith('-');
  const digits = (negative ? money.amount.slice(1) : money.amount).padStart(precision + 1, '0');
  const integerPart = digits.slice(0, digits.length - precision);
  const fractionPart = digits.slice(digits.length - precision);
  return `${negative ? '-' : ''}${integerPart}.${fractionPart}`;
}

export function moneyFromMinorUnits(minorUnits: bigint, asset: string): Money {
  parseAsset(asset);
  const amount = minorUnits.toString();
  if (amount.replace('-', '').length > MAX_AMOUNT_DIGITS) {
    throw new ContractError('invalid_amount', `amount in ${asset} has more than ${MAX_AMOUNT_DIGITS} digits`);
  }
  return { amount, asset };
}

export function minorUnitsOf(money: Money): bigint {
  assertMoney(money);
  return BigInt(money.amount);
}

export function addMoney(left: Money, right: Money): Money {
  const asset = sameAsset(left, right, 'add');
  return moneyFromMinorUnits(minorUnitsOf(left) + minorUnitsOf(right), asset);
}

export function subtractMoney(left: Money, right: Money): Money {
  const asset = sameAsset(left, right, 'subtract');
  return moneyFromMinorUnits(minorUnitsOf(left) - minorUnitsOf(right), asset);
}

export function negateMoney(money: Money): Money {
  return moneyFromMinorUnits(-minorUnitsOf(money), money.asset);
}

/** Sums amounts of one asset; the asset is explicit so that an empty list still has one. */
export function sumMoney(asset: string, amounts: readonly Money[]): Money {
  parseAsset(asset);
  let total = 0n;
  for (const money of amounts) {
    if (money.asset !== asset) {
      throw new ContractError('asset_mismatch', `cannot sum ${money.asset} into a total of ${asset}`);
    }
    total += minorUnitsOf(money);
  }
  return moneyFromMinorUnits(total, asset);
}

/** -1, 0 or 1 as `left` is less than, equal to or greater than `right`. */
export function compareMoney(left: Money, right: Money): -1 | 0 | 1 {
  sameAsset(left, right, 'compare');
  const difference = minorUnitsOf(left) - minorUnitsOf(right);
  if (difference === 0n) return 0;
  return difference < 0n ? -1 : 1;
}

export function isZeroMoney(money: Money): boolean {
  return minorUnitsOf(money) === 0n;
}

export function assertMoney(money: Money): void {
  if (!AMOUNT_PATTERN.test(money.amount) || money.amount.replace('-', '').length > MAX_AMOUNT_DIGITS) {
    throw new ContractError(
      'invalid_amount',
      `amount ${show(money.amount)} is not an integer string of minor units (pattern ${AMOUNT_PATTERN.source})`,
    );
  }
  parseAsset(money.asset);
}

function sameAsset(left: Money, right: Money, operation: string): string {
  if (left.asset !== right.asset) {
    throw new ContractError('asset_mismatch', `cannot ${operation} ${left.asset} and ${right.asset}`);
  }
  return left.asset;
}

/**
 * A JS number is only trusted when its shortest decimal form has at most 15 significant digits and
 * it is a safe integer in magnitude: then that form is what the provider wrote. Anything else
 * (0.1 + 0.2, 12345678901234567, 1e21) may already differ from the provider's text.
 */
function exactDecimalOfNumber(value: number, asset: string): string {
  const advice = 'parse the provider JSON with parseJsonLosslessly and pass the decimal string';
  if (!Number.isFinite(value)) {
    throw new ContractError('unsafe_number', `${String(value)} is not a finite number for ${asset}`);
  }
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new ContractError(
      'unsafe_number',
      `number ${String(value)} for ${asset} is beyond 2^53 and may not be the provider's value; ${advice}`,
    );
  }
  const shortest = String(value);
  const significantDigits = shortest
    .replace(/e.*$/i, '')
    .replace(/[-+.]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (significantDigits.length > MAX_EXACT_FLOAT_DIGITS) {
    throw new ContractError(
      'unsafe_number',
      `number ${shortest} for ${asset} has ${significantDigits.length} significant digits, more than a float holds exactly (${MAX_EXACT_FLOAT_DIGITS}); ${advice}`,
    );
  }
  return shortest;
}

function decimalToMinorUnits(text: string, precision: number, shown: string, asset: string): string {
  if (/\s/.test(text)) {
    throw new ContractError('invalid_amount', `${shown} is not a decimal amount for ${asset}: it contains whitespace`);
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) {
    throw new ContractError(
      'invalid_amount',
      `${shown} is not a decimal amount for ${asset} (expected digits with an optional sign, fraction and exponent)`,
    );
  }
  const [, sign = '', integerDigits = '', fractionDigits = '', exponentText = '0'] = match;
  if (exponentText.replace(/^[+-]?0*/, '').length > MAX_EXPONENT_DIGITS) {
    throw new ContractError('invalid_amount', `${shown} has an exponent out of range for ${asset}`);
  }
  const digits = (integerDigits + fractionDigits).replace(/^0+/, '');
  if (digits === '') return '0';

  // value = digits × 10^(exponent − fraction length); minor units = value × 10^precision.
  const shift = Number(exponentText) - fractionDigits.length + precision;
  let minorUnits: string;
  if (shift >= 0) {
    if (digits.length + shift > MAX_AMOUNT_DIGITS) {
      throw new ContractError('invalid_amount', `${shown} is too large for ${asset} (over ${MAX_AMOUNT_DIGITS} digits)`);
    }
    minorUnits = digits + '0'.repeat(shift);
  } else {
    const keptLength = Math.max(0, digits.length + shift);
    if (/[1-9]/.test(digits.slice(keptLength))) {
      throw new ContractError(
        'precision_exceeded',
        `${shown} has more decimals than ${asset} allows (precision ${precision}); refusing to round`,
      );
    }
    minorUnits = digits.slice(0, keptLength) || '0';
    if (minorUnits.length > MAX_AMOUNT_DIGITS) {
      throw new ContractError('invalid_amount', `${shown} is too large for ${asset} (over ${MAX_AMOUNT_DIGITS} digits)`);
    }
  }
  return sign === '-' && minorUnits !== '0' ? `-${minorUnits}` : minorUnits;
}

function describeValue(value: string | number): string {
  return typeof value === 'number' ? `number ${String(value)}` : `value ${show(value)}`;
}

/** Quotes a value for an error message, cut short so a huge input cannot flood logs. */
function show(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}
