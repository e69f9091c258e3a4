import fc from 'fast-check';
import { ContractError } from './errors';
import {
  addMoney,
  compareMoney,
  MAX_ASSET_PRECISION,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  moneyToDecimal,
  negateMoney,
  subtractMoney,
  sumMoney,
  type Money,
} from './money';

const precisionArbitrary = fc.integer({ min: 0, max: MAX_ASSET_PRECISION });
const digitArbitrary = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
const digitsArbitrary = (minLength: number, maxLength: number) =>
  fc.string({ unit: digitArbitrary, minLength, maxLength });
/** Up to 40 digits: far beyond 2^53, well within the 80-digit bound even after scaling. */
const minorUnitsArbitrary = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });

function assetOf(precision: number): string {
  return `TKN/${precision}`;
}

/** The canonical decimal of sign, integer digits and fraction digits at a precision (the expected output). */
function canonicalDecimal(negative: boolean, integerDigits: string, fractionDigits: string, precision: number): string {
  const integerPart = integerDigits.replace(/^0+/, '') || '0';
  const fractionPart = fractionDigits.padEnd(precision, '0');
  const isZero = /^0*$/.test(integerPart + fractionPart);
  const body = precision === 0 ? integerPart : `${integerPart}.${fractionPart}`;
  return negative && !isZero ? `-${body}` : body;
}

describe('money conversion properties', () => {
  it('minor units → decimal → minor units is the identity', () => {
    fc.assert(
      fc.property(minorUnitsArbitrary, precisionArbitrary, (minorUnits, precision) => {
        const money = moneyFromMinorUnits(minorUnits, assetOf(precision));
        expect(moneyFromDecimal(moneyToDecimal(money), money.asset)).toEqual(money);
      }),
    );
  });

  it('decimal → minor units → decimal never loses or invents a digit', () => {
    fc.assert(
      fc.property(
        precisionArbitrary.chain((precision) =>
          fc.tuple(
            fc.constant(precision),
            fc.boolean(),
            fc.constantFrom('', '+', '-'),
            digitsArbitrary(1, 30),
            digitsArbitrary(0, precision),
          ),
        ),
        ([precision, withPoint, sign, integerDigits, fractionDigits]) => {
          const text = `${sign}${integerDigits}${withPoint && fractionDigits !== '' ? `.${fractionDigits}` : ''}`;
          const keptFraction = withPoint ? fractionDigits : '';
          const money = moneyFromDecimal(text, assetOf(precision));
          expect(moneyToDecimal(money)).toBe(canonicalDecimal(sign === '-', integerDigits, keptFraction, precision));
        },
      ),
    );
  });

  it('exponent notation is exact, and refused exactly when a non-zero digit would fall beyond the precision', () => {
    fc.assert(
      fc.property(
        // Bounded so that the result stays within MAX_AMOUNT_DIGITS (31 + 12 + 36 < 80).
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        precisionArbitrary,
        fc.integer({ min: -50, max: 12 }),
        fc.constantFrom('e', 'E'),
        (mantissa, precision, exponent, marker) => {
          const text = `${mantissa}${marker}${exponent >= 0 ? '+' : ''}${exponent}`;
          const scale = exponent + precision;
          if (scale >= 0) {
            expect(moneyFromDecimal(text, assetOf(precision)).amount).toBe((mantissa * 10n ** BigInt(scale)).toString());
            return;
          }
          const divisor = 10n ** BigInt(-scale);
          if (mantissa % divisor === 0n) {
            expect(moneyFromDecimal(text, assetOf(precision)).amount).toBe((mantissa / divisor).toString());
          } else {
            expect(() => moneyFromDecimal(text, assetOf(precision))).toThrow(/more decimals than/);
          }
        },
      ),
    );
  });

  it('a non-zero digit beyond the precision is always refused, never rounded', () => {
    fc.assert(
      fc.property(
        precisionArbitrary,
        digitsArbitrary(1, 20),
        digitsArbitrary(0, 5),
        fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8', '9'),
        (precision, integerDigits, extraZeros, lastDigit) => {
          const fraction = `${'0'.repeat(precision)}${extraZeros}${lastDigit}`;
          const text = `${integerDigits}.${fraction}`;
          let caught: unknown;
          try {
            moneyFromDecimal(text, assetOf(precision));
          } catch (error: unknown) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(ContractError);
          expect((caught as ContractError).code).toBe('precision_exceeded');
        },
      ),
    );
  });

  it('an accepted JS number converts to exactly its shortest decimal form', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e12, max: 1e12 }), precisionArbitrary, (value, precision) => {
        let money: Money;
        try {
          money = moneyFromDecimal(value, assetOf(precision));
        } catch (error: unknown) {
          if (!(error instanceof ContractError)) throw error;
          expect(['precision_exceeded', 'unsafe_number']).toContain(error.code);
          return;
        }
        // Comparing as numbers here is the test oracle, not money arithmetic.
        expect(Number(moneyToDecimal(money))).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

describe('bigint arithmetic properties', () => {
  const asset = 'ETH/18';
  const moneyArbitrary = minorUnitsArbitrary.map((minorUnits) => moneyFromMinorUnits(minorUnits, asset));

  it('addition is commutative and associative', () => {
    fc.assert(
      fc.property(moneyArbitrary, moneyArbitrary, moneyArbitrary, (a, b, c) => {
        expect(addMoney(a, b)).toEqual(addMoney(b, a));
        expect(addMoney(a, addMoney(b, c))).toEqual(addMoney(addMoney(a, b), c));
      }),
    );
  });

  it('a sum does not depend on the order of its terms', () => {
    const amountsAndPermutation = fc
      .array(moneyArbitrary, { maxLength: 30 })
      .chain((amounts) =>
        fc.tuple(
          fc.constant(amounts),
          fc.shuffledSubarray(amounts, { minLength: amounts.length, maxLength: amounts.length }),
        ),
      );
    fc.assert(
      fc.property(amountsAndPermutation, ([amounts, permuted]) => {
        expect(sumMoney(asset, permuted)).toEqual(sumMoney(asset, amounts));
        expect(minorUnitsOf(sumMoney(asset, amounts))).toBe(
          amounts.reduce((total, money) => total + minorUnitsOf(money), 0n),
        );
      }),
    );
  });

  it('negation and subtraction are consistent', () => {
    fc.assert(
      fc.property(moneyArbitrary, moneyArbitrary, (a, b) => {
        expect(negateMoney(negateMoney(a))).toEqual(a);
        expect(addMoney(a, negateMoney(a)).amount).toBe('0');
        expect(subtractMoney(a, b)).toEqual(addMoney(a, negateMoney(b)));
        expect(compareMoney(a, b)).toBe(-compareMoney(b, a) || 0);
        expect(compareMoney(subtractMoney(a, b), moneyFromMinorUnits(0n, asset))).toBe(compareMoney(a, b));
      }),
    );
  });
});
