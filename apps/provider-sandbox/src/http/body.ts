import type { FastifyRequest } from 'fastify';
import { LosslessNumber } from 'lossless-json';
import { parseJson } from './json';
import { bodyText, isFormContentType } from './raw-body';

/** A request body read as named fields: a JSON object, or a form (as curl `-d` sends). */
export type FieldsParse = { ok: true; fields: Record<string, unknown> } | { ok: false; error: string };

export function parseFields(request: FastifyRequest): FieldsParse {
  const text = bodyText(request);
  if (isFormContentType(request)) {
    const fields: Record<string, unknown> = {};
    for (const [name, value] of new URLSearchParams(text)) {
      if (name in fields) return { ok: false, error: `field ${name} is sent more than once` };
      fields[name] = value;
    }
    return { ok: true, fields };
  }
  if (text.trim() === '') return { ok: true, fields: {} };
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, error: 'the body is not valid JSON' };
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return { ok: false, error: 'the body must be a JSON object' };
  }
  return { ok: true, fields: parsed.value as Record<string, unknown> };
}

/** The exact text of a decimal field given as a JSON number or a string. */
export function decimalField(value: unknown): string | undefined {
  if (value instanceof LosslessNumber) return value.value;
  if (typeof value === 'string') return value.trim();
  return undefined;
}

export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
