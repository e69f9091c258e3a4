import { ContractError } from './errors';
import {
  addMoney,
  compareMoney,
  formatAsset,
  isZeroMoney,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  MoneySchema,
  moneyToDecimal,
  negateMoney,
  NonNegativeMoneySchema,
  parseAsset,
  PositiveMoneySchema,
  subtractMoney,
  sumMoney,
} from './money';

function errorOf(action: () => unknown): ContractError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('parseAsset / formatAsset', () => {
  it.each([
    ['EUR/2', 'EUR', 2],
    ['IDR/0', 'IDR', 0],
    ['BTC/8', 'BTC', 8],
    ['ETH/18', 'ETH', 18],
    ['USDT/6', 'USDT', 6],
    ['1INCH/18', '1INCH', 18],
    ['TOKEN/30', 'TOKEN', 30],
    ['WIDE/36', 'WIDE', 36],
  ])('reads %s', (asset, code, precision) => {
    expect(parseAsset(asset)).toEqual({ code, precision });
    expect(formatAsset(code, precision)).toBe(asset);
  });

  it.each(['EUR', 'eur/2', 'EUR/-1', 'EUR/02', 'EUR/37', 'EUR/2 ', '/2', 'EUR/2.5'])('rejects %p', (asset) => {
    const error = errorOf(() => parseAsset(asset));
    expect(error.code).toBe('invalid_asset');
    expect(error.message).toContain(JSON.stringify(asset));
  });
});

describe('moneyFromDecimal', () => {
  it.each([
    // [value, asset, minor units]
    ['123.45', 'EUR/2', '12345'],
    ['0.1', 'EUR/2', '10'],
    ['-0.01', 'EUR/2', '-1'],
    ['+7', 'EUR/2', '700'],
    ['0', 'EUR/2', '0'],
    ['-0', 'EUR/2', '0'],
    ['-0.00', 'EUR/2', '0'],
    ['007.50', 'EUR/2', '750'],
    ['115205', 'IDR/0', '115205'],
    ['115205.000', 'IDR/0', '115205'],
    ['10.00000000', 'IDR/0', '10'],
    ['-393000', 'IDR/0', '-393000'],
    ['0.00118769', 'BTC/8', '118769'],
    ['21000000', 'BTC/8', '2100000000000000'],
    ['1e-8', 'BTC/8', '1'],
    ['1E-8', 'BTC/8', '1'],
    ['1.5E+3', 'BTC/8', '150000000000'],
    ['1.5e3', 'EUR/2', '150000'],
    ['-2.5e-1', 'EUR/2', '-25'],
    ['0.5e1', 'IDR/0', '5'],
    ['12e-1', 'EUR/2', '120'],
    ['1.000000000000000001', 'ETH/18', '1000000000000000001'],
    ['123456789.123456789123456789', 'ETH/18', '123456789123456789123456789'],
    ['0.000000000000000001', 'ETH/18', '1'],
    ['-0.000000000000000001', 'ETH/18', '-1'],
    ['1.000000000000000000000000000001', 'TOKEN/30', '1000000000000000000000000000001'],
    ['12.345678', 'USDT/6', '12345678'],
  ])('converts %p in %s to %p minor units', (value, asset, minor) => {
    expect(moneyFromDecimal(value, asset)).toEqual({ amount: minor, asset });
  });

  it.each([
    // [value, asset]
    ['123.456', 'EUR/2'],
    ['0.5', 'IDR/0'],
    ['1e-9', 'BTC/8'],
    ['0.000000001', 'BTC/8'],
    ['0.0000000000000000001', 'ETH/18'],
    ['-1.001', 'EUR/2'],
    ['1.5e-1', 'IDR/0'],
  ])('refuses %p in %s: more decimals than the precision, never rounded', (value, asset) => {
    const error = errorOf(() => moneyFromDecimal(value, asset));
    expect(error.code).toBe('precision_exceeded');
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toContain(asset);
  });

  it.each([' 1', '1 ', '1 000', '1\t', '\n1', '1.0\u00a0'])('refuses whitespace in %p', (value) => {
    const error = errorOf(() => moneyFromDecimal(value, 'EUR/2'));
    expect(error.code).toBe('invalid_amount');
    expect(error.message).toMatch(/whitespace/);
  });

  it.each(['', '.', '.5', '5.', '1,5', '1.2.3', '--1', '+-1', 'e5', '1e', '0x10', 'NaN', 'Infinity', '1_000', '١٢'])(
    'refuses the malformed decimal %p',
    (value) => {
      expect(errorOf(() => moneyFromDecimal(value, 'EUR/2')).code).toBe('invalid_amount');
    },
  );

  it('refuses absurd exponents and sizes instead of building huge strings', () => {
    expect(errorOf(() => moneyFromDecimal('1e999999', 'EUR/2')).code).toBe('invalid_amount');
    expect(errorOf(() => moneyFromDecimal('1e100', 'EUR/2')).code).toBe('invalid_amount');
    expect(errorOf(() => moneyFromDecimal('9'.repeat(81), 'IDR/0')).code).toBe('invalid_amount');
    expect(moneyFromDecimal('0e-9999', 'EUR/2').amount).toBe('0');
    expect(moneyFromDecimal('1e-2', 'EUR/2').amount).toBe('1');
  });

  it('refuses an invalid asset', () => {
    expect(errorOf(() => moneyFromDecimal('1', 'EURO')).code).toBe('invalid_asset');
  });

  describe('JS numbers', () => {
    it.each([
      [100, 'EUR/2', '10000'],
      [0.1, 'EUR/2', '10'],
      [123.45, 'EUR/2', '12345'],
      [-0.01, 'EUR/2', '-1'],
      [-0, 'EUR/2', '0'],
      [1e-8, 'BTC/8', '1'],
      [0.00118769, 'BTC/8', '118769'],
      [5000, 'USD/2', '500000'],
      [115205, 'IDR/0', '115205'],
      [123456789012345, 'IDR/0', '123456789012345'],
      [1.5e3, 'EUR/2', '150000'],
    ])('accepts %p in %s exactly', (value, asset, minor) => {
      expect(moneyFromDecimal(value, asset)).toEqual({ amount: minor, asset });
    });

    it.each([
      [0.1 + 0.2, 'EUR/2'],
      [1234567890123456, 'IDR/0'],
      [2 ** 53 + 2, 'IDR/0'],
      [1e21, 'IDR/0'],
      [0.12345678901234568, 'ETH/18'],
    ])('refuses %p: a float may not hold the provider value', (value, asset) => {
      const error = errorOf(() => moneyFromDecimal(value, asset));
      expect(error.code).toBe('unsafe_number');
      expect(error.message).toContain('parseJsonLosslessly');
      expect(error.message).toContain(asset);
    });

    it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses %p', (value) => {
      expect(errorOf(() => moneyFromDecimal(value, 'EUR/2')).code).toBe('unsafe_number');
    });

    it('still refuses a number with too many decimals for the asset', () => {
      expect(errorOf(() => moneyFromDecimal(0.125, 'EUR/2')).code).toBe('precision_exceeded');
    });
  });
});

describe('moneyToDecimal', () => {
  it.each([
    ['12345', 'EUR/2', '123.45'],
    ['-12345', 'EUR/2', '-123.45'],
    ['5', 'EUR/2', '0.05'],
    ['-5', 'EUR/2', '-0.05'],
    ['0', 'EUR/2', '0.00'],
    ['115205', 'IDR/0', '115205'],
    ['-7', 'IDR/0', '-7'],
    ['1', 'BTC/8', '0.00000001'],
    ['1000000000000000001', 'ETH/18', '1.000000000000000001'],
  ])('writes %p %s as %p', (amount, asset, decimal) => {
    expect(moneyToDecimal({ amount, asset })).toBe(decimal);
  });

  it('refuses a malformed amount', () => {
    expect(errorOf(() => moneyToDecimal({ amount: '-0', asset: 'EUR/2' })).code).toBe('invalid_amount');
    expect(errorOf(() => moneyToDecimal({ amount: '1.5', asset: 'EUR/2' })).code).toBe('invalid_amount');
  });
});

describe('bigint arithmetic', () => {
  const eur = (amount: string) => ({ amount, asset: 'EUR/2' });

  it('adds, subtracts, negates and sums without floats', () => {
    expect(addMoney(eur('10'), eur('20'))).toEqual(eur('30'));
    expect(subtractMoney(eur('10'), eur('25'))).toEqual(eur('-15'));
    expect(negateMoney(eur('15'))).toEqual(eur('-15'));
    expect(negateMoney(eur('0'))).toEqual(eur('0'));
    expect(sumMoney('EUR/2', [eur('1'), eur('2'), eur('-3')])).toEqual(eur('0'));
    expect(sumMoney('EUR/2', [])).toEqual(eur('0'));
    const wei = { amount: '900719925474099312345678', asset: 'ETH/18' };
    expect(addMoney(wei, wei).amount).toBe('1801439850948198624691356');
  });

  it('compares', () => {
    expect(compareMoney(eur('1'), eur('2'))).toBe(-1);
    expect(compareMoney(eur('2'), eur('2'))).toBe(0);
    expect(compareMoney(eur('-1'), eur('-2'))).toBe(1);
    expect(isZeroMoney(eur('0'))).toBe(true);
    expect(minorUnitsOf(eur('-42'))).toBe(-42n);
    expect(moneyFromMinorUnits(-42n, 'EUR/2')).toEqual(eur('-42'));
  });

  it('refuses to mix assets', () => {
    const idr = { amount: '1', asset: 'IDR/0' };
    expect(errorOf(() => addMoney(eur('1'), idr)).code).toBe('asset_mismatch');
    expect(errorOf(() => subtractMoney(eur('1'), idr)).code).toBe('asset_mismatch');
    expect(errorOf(() => compareMoney(eur('1'), idr)).code).toBe('asset_mismatch');
    expect(errorOf(() => sumMoney('EUR/2', [eur('1'), idr])).code).toBe('asset_mismatch');
    // Same code, different precision: still different assets.
    expect(errorOf(() => addMoney(eur('1'), { amount: '1', asset: 'EUR/3' })).code).toBe('asset_mismatch');
  });
});

describe('Money schemas', () => {
  it('accepts integer minor-unit strings', () => {
    for (const amount of ['0', '1', '-1', '12345678901234567890123456789']) {
      expect(MoneySchema.safeParse({ amount, asset: 'EUR/2' }).success).toBe(true);
    }
  });

  it.each(['-0', '01', '1.5', '', ' 1', '+1', '1e3', '0x1'])('refuses the amount %p', (amount) => {
    expect(MoneySchema.safeParse({ amount, asset: 'EUR/2' }).success).toBe(false);
  });

  it('refuses a number amount, a bad asset and unknown keys', () => {
    expect(MoneySchema.safeParse({ amount: 1, asset: 'EUR/2' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1', asset: 'EUR' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: '1', asset: 'EUR/2', currency: 'EUR' }).success).toBe(false);
  });

  it('has positive and non-negative variants', () => {
    expect(PositiveMoneySchema.safeParse({ amount: '1', asset: 'EUR/2' }).success).toBe(true);
    expect(PositiveMoneySchema.safeParse({ amount: '0', asset: 'EUR/2' }).success).toBe(false);
    expect(PositiveMoneySchema.safeParse({ amount: '-1', asset: 'EUR/2' }).success).toBe(false);
    expect(NonNegativeMoneySchema.safeParse({ amount: '0', asset: 'EUR/2' }).success).toBe(true);
    expect(NonNegativeMoneySchema.safeParse({ amount: '-1', asset: 'EUR/2' }).success).toBe(false);
  });
});
