import { asset, type Asset } from './money';

/** ISO 4217 minor units of the fiat currencies the sandbox's providers use. */
const FIAT_PRECISION: Readonly<Record<string, number>> = {
  AUD: 2,
  CAD: 2,
  CHF: 2,
  EUR: 2,
  GBP: 2,
  IDR: 0,
  JPY: 0,
  MYR: 2,
  PHP: 2,
  SGD: 2,
  THB: 2,
  USD: 2,
  VND: 0,
};

export const FIAT_CURRENCIES = Object.keys(FIAT_PRECISION);

/** The asset of a fiat currency code (case-insensitive), or undefined for an unknown code. */
export function fiatAsset(code: string): Asset | undefined {
  const precision = FIAT_PRECISION[code.toUpperCase()];
  return precision === undefined ? undefined : asset(code, precision);
}
