import { ContractError } from './errors';
import { LosslessJsonValueSchema, parseJsonLosslessly, parseJsonWithSafeNumbers } from './lossless-json';
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
