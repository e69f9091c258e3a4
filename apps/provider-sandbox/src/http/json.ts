import { LosslessNumber, parse, stringify } from 'lossless-json';
import { z } from 'zod';

/**
 * JSON without floats. Request bodies are parsed with lossless-json, so every number arrives as
 * a LosslessNumber holding its exact text; responses are written with it, so an amount rendered
 * as a JSON number (`"balance": 5000.25`) is written from its decimal text, never from a double.
 */
export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: parse(text) };
  } catch (error: unknown) {
    return { ok: false, error: error instanceof Error ? error.message : 'invalid JSON' };
  }
}

export function serializeJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** A JSON number written exactly as `decimalText`. */
export function jsonNumber(decimalText: string): LosslessNumber {
  return new LosslessNumber(decimalText);
}

/** A decimal given either as a JSON number or as a string; yields its exact text. */
export const decimalText = z.union([
  z.string(),
  z.instanceof(LosslessNumber).transform((value) => value.value),
]);

/** A JSON number (or numeric string) that must be a safe integer. */
export const integerValue = z.union([z.string(), z.instanceof(LosslessNumber).transform((value) => value.value)]).pipe(
  z
    .string()
    .regex(/^-?\d{1,15}$/)
    .transform(Number),
);

/** Zod issues as one readable line: `creditorAccount.iban: Required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
