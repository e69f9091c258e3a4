import { z } from 'zod';

export const PROVIDERS = ['indx', 'indexo', 'indodax', 'findigi', 'finx'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const ProviderSchema = z.enum(PROVIDERS).meta({
  id: 'Provider',
  description: 'The financial provider a fact comes from: INDX, INDEXO, Indodax, FinDIGI or Fin X.',
});

/** ISO 8601 date-time with a mandatory offset (`Z` or `±hh:mm`): a local time without one is ambiguous. */
export const TimestampSchema = z.iso.datetime({ offset: true }).meta({
  id: 'Timestamp',
  description: 'ISO 8601 date-time with an offset, e.g. 2025-03-01T10:15:00.123+07:00 or 2025-03-01T03:15:00Z.',
});

/** Deterministic event id: a UUID whose version nibble is 8 (RFC 9562 custom), lowercase. */
export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const EventIdSchema = z.string().regex(EVENT_ID_PATTERN).meta({
  id: 'EventId',
  description:
    'Deterministic event id: SHA-256 of the fact identity formatted as a UUID (version 8). The same provider fact always has the same id.',
});

/** C0 control characters and DEL: they would corrupt logs, partition keys and header values. */
export function hasControlCharacters(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** An identifier or short label coming from a provider: non-empty, bounded, no control characters. */
export function identifierSchema(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine((value) => !hasControlCharacters(value), { message: 'must not contain control characters' });
}

/** Free text from a provider (descriptions, reasons): only bounded in size, kept as the provider wrote it. */
export function textSchema(maxLength: number) {
  return z.string().max(maxLength);
}

/**
 * Cross-field checks run only once every field is valid on its own: zod would otherwise run them
 * on input that failed a field rule (a non-numeric amount reaching BigInt, for instance).
 */
export const WHEN_FIELDS_VALID = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };
