import fc from 'fast-check';
import { formatMinor, formatMinorTrimmed, moneyJson, parseDecimal, rescaleMinor, asset } from './money';

describe('exact decimal money', () => {
  it('formats minor units with exactly the precision', () => {
    expect(formatMinor(12345n, 2)).toBe('123.45');
    expect(formatMinor(-5n, 2)).toBe('-0.05');
    expect(formatMinor(7n, 0)).toBe('7');
    expect(formatMinor(1n, 8)).toBe('0.00000001');
    expect(formatMinorTrimmed(500000n, 2)).toBe('5000');
    expect(formatMinorTrimmed(50n, 2)).toBe('0.5');
    expect(moneyJson(123456n, asset('eur', 2))).toEqual({ amount: '123456', asset: 'EUR/2' });
  });

  it('parses plain decimals and refuses everything else', () => {
    expect(parseDecimal('100', 2)).toEqual({ ok: true, minor: 10000n });
    expect(parseDecimal('-0.25', 2)).toEqual({ ok: true, minor: -25n });
    expect(parseDecimal('10.00000000', 2)).toEqual({ ok: true, minor: 1000n });
    expect(parseDecimal('10.001', 2)).toEqual({ ok: false, reason: 'precision' });
    for (const text of ['1e5', '+1', ' 1', '1,000', '.5', '5.', '', 'NaN', '0x10']) {
      expect(parseDecimal(text, 2)).toEqual({ ok: false, reason: 'format' });
    }
  });

  it('round-trips any amount at any precision', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (minor, precision) => {
        expect(parseDecimal(formatMinor(minor, precision), precision)).toEqual({ ok: true, minor });
        expect(parseDecimal(formatMinorTrimmed(minor, precision), precision)).toEqual({ ok: true, minor });
      }),
    );
  });

  it('rescales exactly when growing and truncates toward zero when shrinking', () => {
    expect(rescaleMinor(123n, 2, 8)).toBe(1_230_000_00n);
    expect(rescaleMinor(12_345n, 4, 2)).toBe(123n);
    expect(rescaleMinor(-12_345n, 4, 2)).toBe(-123n);
  });
});
