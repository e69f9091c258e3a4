import { ContractError, formatAsset } from '@finmesh/schemas';

/** A currency the connector has no precision for: refused, never guessed. */
export class UnknownCurrencyError extends ContractError {
  constructor(providerName: string, currency: string, setting: string) {
    super('invalid_asset', `${providerName} currency ${JSON.stringify(currency.slice(0, 16))} has no known precision; add it to ${setting}`);
  }
}

/**
 * The precisions of a provider that names currencies without them (INDX, Fin X, FinDIGI): the
 * connector's defaults plus the operator's additions (`<PROVIDER>_ASSETS`). `assetOf` turns a
 * provider's currency into a finmesh asset (`EUR/2`) or refuses it.
 */
export class ProviderAssets {
  private readonly precisions: Readonly<Record<string, number>>;

  constructor(
    private readonly providerName: string,
    private readonly setting: string,
    defaults: Readonly<Record<string, number>>,
    overrides: Readonly<Record<string, number>> = {},
    /** How the provider's code maps to the registry's key and the asset's code (e.g. upper case). */
    private readonly canonical: (currency: string) => string = (currency) => currency,
  ) {
    this.precisions = { ...defaults, ...overrides };
  }

  assetOf(currency: string): string {
    const code = this.canonical(currency);
    const precision = Object.hasOwn(this.precisions, code) ? this.precisions[code] : undefined;
    if (precision === undefined) throw new UnknownCurrencyError(this.providerName, currency, this.setting);
    return formatAsset(code, precision);
  }
}
