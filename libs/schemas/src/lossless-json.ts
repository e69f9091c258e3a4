import { isLosslessNumber, parse as parseLossless, type DuplicateKeyInfo } from 'lossless-json';
import { z } from 'zod';
import { ContractError } from './errors';

/**
 * JSON as a connector should see a provider's body: every number kept as the exact decimal text
 * the provider wrote ("0.00118769", "12345678901234567890"), so money never passes through a float.
 */
export type LosslessJsonValue = string | boolean | null | LosslessJsonValue[] | { [key: string]: LosslessJsonValue };

export const LosslessJsonValueSchema: z.ZodType<LosslessJsonValue> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.boolean(),
      z.null(),
      z.array(LosslessJsonValueSchema),
      z.record(z.string(), LosslessJsonValueSchema),
    ]),
  )
  .meta({
    id: 'LosslessJsonValue',
    description:
      'A JSON value whose numbers are kept as their exact decimal strings (no JSON numbers at all), so nothing passed through a float.',
  });

/**
 * Parses JSON keeping every number as its exact decimal string. Duplicate keys with different
 * values are an error (plain JSON.parse silently keeps the last one). Error messages give a
 * position, never the text itself, which may hold secrets.
 */
export function parseJsonLosslessly(text: string): LosslessJsonValue {
  return parseCanonicalJson(text) ?? parseJsonLosslesslyByParser(text);
}

/**
 * The fast path of parseJsonLosslessly, for a text that is exactly the canonical serialization
 * of its native parse (JSON.stringify output: no whitespace, no repeated key — a repeat would be
 * lost, so the text would differ —, every number written as JavaScript writes it). Then every
 * number's text is String() of its value, and the native parse with numbers turned into that
 * text is what the lossless parser gives. Undefined for any other text (and for a text naming
 * `__proto__`, which the lossless path keeps as plain data).
 */
function parseCanonicalJson(text: string): LosslessJsonValue | undefined {
  if (text.includes('__proto__')) return undefined;
  let native: unknown;
  try {
    native = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (JSON.stringify(native) !== text) return undefined;
  return numbersToText(native);
}

/** Replaces the numbers of a fresh native parse with their text, in place. */
function numbersToText(value: unknown): LosslessJsonValue {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) value[index] = numbersToText(value[index]);
    return value as LosslessJsonValue[];
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = numbersToText(record[key]);
    return record as { [key: string]: LosslessJsonValue };
  }
  return value as string | boolean | null;
}

/** parseJsonLosslessly through the lossless parser, for any text. */
export function parseJsonLosslesslyByParser(text: string): LosslessJsonValue {
  try {
    // Numbers stay LosslessNumber while parsing, so that {"a":1,"a":"1"} counts as a conflict.
    return numbersToDecimalText(parseLossless(text, null, { onDuplicateKey: rejectDuplicateKey }));
  } catch (error: unknown) {
    if (error instanceof ContractError) throw error;
    throw new ContractError('invalid_json', `not valid JSON: ${describeJsonError(error)}`);
  }
}

/**
 * Parses JSON for the event envelope: numbers become JS numbers only when they are exactly
 * representable (the envelope's numbers are small integers); any other number is an error.
 */
export function parseJsonWithSafeNumbers(text: string): unknown {
  try {
    return parseLossless(text, null, {
      parseNumber: (decimalText: string) => {
        const value = Number(decimalText);
        if (!Number.isSafeInteger(value) || String(value) !== decimalText) {
          throw new ContractError(
            'invalid_json',
            'a JSON number that is not a plain safe integer (the contract carries amounts as strings)',
          );
        }
        return value;
      },
      onDuplicateKey: rejectDuplicateKey,
    });
  } catch (error: unknown) {
    if (error instanceof ContractError) throw error;
    throw new ContractError('invalid_json', `not valid JSON: ${describeJsonError(error)}`);
  }
}

function numbersToDecimalText(value: unknown): LosslessJsonValue {
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return value.map(numbersToDecimalText);
  if (value !== null && typeof value === 'object') {
    const converted: { [key: string]: LosslessJsonValue } = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key stays data instead of replacing the prototype.
      Object.defineProperty(converted, key, {
        value: numbersToDecimalText(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return converted;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  throw new ContractError('invalid_json', 'not valid JSON: unexpected value');
}

/**
 * A key repeated with a different value is refused: parsers disagree on which one wins, so two
 * services could read one message differently. (An exact repeat is harmless and passes.)
 */
function rejectDuplicateKey(info: DuplicateKeyInfo): never {
  throw new ContractError(
    'invalid_json',
    `not valid JSON: duplicate key ${JSON.stringify(info.key.slice(0, 64))} at position ${info.position}`,
  );
}

/** Keeps only the position from lossless-json's message: the rest could quote the text. */
function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? 'malformed' : `malformed at position ${position}`;
}
