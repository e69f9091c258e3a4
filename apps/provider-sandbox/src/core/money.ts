/**
 * Exact decimal money. State holds integer minor units as bigint; these helpers turn them into the
 * decimal text each provider renders and parse decimal text from requests without ever going
 * through a binary float.
 */
export interface Asset {
  /** Upper-case code as finmesh writes it: `EUR`, `IDR`, `BTC`. */
  readonly code: string;
  /** Number of decimal places of the minor unit. */
  readonly precision: number;
}

/** finmesh's money shape: an integer string in minor units and the asset with its precision. */
export interface MoneyJson {
  amount: string;
  asset: string;
}

export function asset(code: string, precision: number): Asset {
  return { code: code.toUpperCase(), precision };
}

export function assetLabel(value: Asset): string {
  return `${value.code}/${value.precision}`;
}

export function moneyJson(minor: bigint, value: Asset): MoneyJson {
  return { amount: minor.toString(), asset: assetLabel(value) };
}

/** `12345n, 2` → `"123.45"`; always exactly `precision` decimals. */
export function formatMinor(minor: bigint, precision: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  const fraction = digits.slice(digits.length - precision);
  const text = precision === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

/** Like formatMinor without trailing fractional zeros: `500000n, 2` → `"5000"`, `50n, 2` → `"0.5"`. */
export function formatMinorTrimmed(minor: bigint, precision: number): string {
  const text = formatMinor(minor, precision);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export type DecimalParseFailure = 'format' | 'precision';
export type DecimalParse = { ok: true; minor: bigint } | { ok: false; reason: DecimalParseFailure };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain decimal (`100`, `100.5`, `-0.25`) into minor units of `precision`. No exponent,
 * sign `+`, spaces or thousands separators. More decimals than the precision is refused unless the
 * extra digits are zeros (`"10.00000000"` for a 2-decimal asset is exact, `"10.001"` is not).
 */
export function parseDecimal(text: string, precision: number): DecimalParse {
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, reason: 'format' };
  const [, sign = '', whole = '0', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > precision) return { ok: false, reason: 'precision' };
  const minor = BigInt(whole + significant.padEnd(precision, '0'));
  return { ok: true, minor: sign === '-' ? -minor : minor };
}

/** Converts minor units between precisions, truncating toward zero when precision shrinks. */
export function rescaleMinor(minor: bigint, fromPrecision: number, toPrecision: number): bigint {
  if (toPrecision >= fromPrecision) return minor * 10n ** BigInt(toPrecision - fromPrecision);
  return minor / 10n ** BigInt(fromPrecision - toPrecision);
}

/** floor(value × numerator / denominator) for non-negative inputs: fees and conversions. */
export function mulDivFloor(value: bigint, numerator: bigint, denominator: bigint): bigint {
  return (value * numerator) / denominator;
}

export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
