import { ContractError } from '@finmesh/schemas';
import { ProviderAssets, UnknownCurrencyError } from './provider-assets';

describe('ProviderAssets', () => {
  const assets = new ProviderAssets('Example', 'EXAMPLE_ASSETS', { EUR: 2, JPY: 0 }, { KWD: 3, EUR: 4 }, (currency) => currency.toUpperCase());

  it('gives the asset of a known currency, the operator’s precision over the default', () => {
    expect(assets.assetOf('JPY')).toBe('JPY/0');
    expect(assets.assetOf('kwd')).toBe('KWD/3');
    expect(assets.assetOf('EUR')).toBe('EUR/4');
  });

  it('refuses a currency it has no precision for, naming the setting, and never takes one from the prototype', () => {
    expect(() => assets.assetOf('usd')).toThrow(UnknownCurrencyError);
    expect(() => assets.assetOf('usd')).toThrow('Example currency "usd" has no known precision; add it to EXAMPLE_ASSETS');
    expect(() => new ProviderAssets('Example', 'EXAMPLE_ASSETS', {}).assetOf('toString')).toThrow(UnknownCurrencyError);
    expect(new UnknownCurrencyError('Example', 'x', 'S')).toBeInstanceOf(ContractError);
  });
});
