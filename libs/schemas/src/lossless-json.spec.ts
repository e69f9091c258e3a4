import { ContractError } from './errors';
import fc from 'fast-check';
import { LosslessJsonValueSchema, parseJsonLosslessly, parseJsonLosslesslyByParser, parseJsonWithSafeNumbers } from './lossless-json';
import { moneyFromDecimal } from './money';

describe('parseJsonLosslessly', () => {
  it('keeps every number as the exact decimal text the provider wrote', () => {
    const parsed = parseJsonLosslessly(
      '{"btc":"0.00118769","amount":100,"fee":0.10,"wei":123456789012345678901234567890,"tiny":1e-8,"list":[1.50,-0]}',
    );
    expect(parsed).toEqual({
      btc: '0.00118769',
      amount: '100',
      fee: '0.10',
      wei: '123456789012345678901234567890',
      tiny: '1e-8',
      list: ['1.50', '-0'],
    });
    expect(LosslessJsonValueSchema.safeParse(parsed).success).toBe(true);
  });

  it('feeds moneyFromDecimal without passing through a float', () => {
    const parsed = parseJsonLosslessly('{"instructedAmount":{"currency":"ETH","amount":1.000000000000000001}}');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected an object');
    const instructed = parsed['instructedAmount'];
    if (instructed === null || typeof instructed !== 'object' || Array.isArray(instructed)) {
      throw new Error('expected an object');
    }
    const amount = instructed['amount'];
    if (typeof amount !== 'string') throw new Error('expected a decimal string');
    expect(moneyFromDecimal(amount, 'ETH/18').amount).toBe('1000000000000000001');
  });

  it('lets an exact repeat of a key pass: every parser reads it the same way', () => {
    expect(parseJsonLosslessly('{"a":1,"a":1}')).toEqual({ a: '1' });
  });

  it('keeps a "__proto__" key as plain data', () => {
    const parsed = parseJsonLosslessly('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('keeps strings, booleans and null as they are', () => {
    expect(parseJsonLosslessly('[true,false,null,"1.0"]')).toEqual([true, false, null, '1.0']);
  });

  it.each([
    ['{"a": secret123}', /malformed at position/],
    ['', /malformed/],
    ['[1,', /malformed/],
    ['{"a":1,"a":2}', /duplicate key "a"/],
    ['{"a":1,"a":"1"}', /duplicate key "a"/],
    ['{"a":1.0,"a":1}', /duplicate key "a"/],
    ['01', /malformed/],
  ])('refuses %p without quoting it', (text, message) => {
    let caught: unknown;
    try {
      parseJsonLosslessly(text);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ContractError);
    expect((caught as ContractError).code).toBe('invalid_json');
    expect((caught as ContractError).message).toMatch(message);
    expect((caught as ContractError).message).not.toContain('secret123');
  });
});

describe('LosslessJsonValueSchema', () => {
  it('refuses JSON numbers: a parsed view must not have passed through a float', () => {
    expect(LosslessJsonValueSchema.safeParse({ amount: 1.5 }).success).toBe(false);
    expect(LosslessJsonValueSchema.safeParse([[{ deep: [0.1] }]]).success).toBe(false);
    expect(LosslessJsonValueSchema.safeParse([[{ deep: ['0.1'] }]]).success).toBe(true);
  });
});

describe('parseJsonWithSafeNumbers', () => {
  it('turns plain safe integers into numbers', () => {
    expect(parseJsonWithSafeNumbers('{"schemaVersion":1,"n":[0,-5,9007199254740991]}')).toEqual({
      schemaVersion: 1,
      n: [0, -5, 9007199254740991],
    });
  });

  it.each(['1.5', '1e3', '1.0', '9007199254740993', '-0'])('refuses the number %p without quoting it', (number) => {
    expect(() => parseJsonWithSafeNumbers(`{"x":${number}}`)).toThrow(/not a plain safe integer/);
  });

  it('refuses duplicate keys', () => {
    expect(() => parseJsonWithSafeNumbers('{"id":"a","id":"b"}')).toThrow(/duplicate key "id"/);
  });
});

describe('parseJsonLosslessly on canonical text (the fast path)', () => {
  it('gives exactly what the lossless parser gives, for any JSON value serialised by JSON.stringify', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonLosslessly(text)).toEqual(parseJsonLosslesslyByParser(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives the same for texts that are not canonical: whitespace, repeats, number spellings, "__proto__"', () => {
    for (const text of [
      '{ "a": 1 }',
      '{"a":1,"a":1}',
      '{"a":1.50,"b":1e-8,"c":-0,"d":123456789012345678901234567890}',
      '{"2":1,"1":2}',
      '{"__proto__":{"x":1},"y":2}',
      '["\\u00e9",1]',
    ]) {
      expect(parseJsonLosslessly(text)).toEqual(parseJsonLosslesslyByParser(text));
    }
    expect(Object.keys(parseJsonLosslessly('{"__proto__":1}') as object)).toEqual(['__proto__']);
  });

  it('fails on malformed text exactly as the lossless parser does', () => {
    for (const text of ['{"a":', '{"a":1,"a":2}', 'nul', '']) {
      expect(() => parseJsonLosslessly(text)).toThrow(ContractError);
      expect(() => parseJsonLosslessly(text)).toThrow(
        (() => {
          try {
            parseJsonLosslesslyByParser(text);
          } catch (error: unknown) {
            return (error as Error).message;
          }
          return 'no error';
        })(),
      );
    }
  });
});
