import { EVENT_ID_PATTERN, hasControlCharacters, PROVIDERS } from '../primitives';
import { CALLBACK_VERIFICATION_SCHEMES, REDACTED_HEADER_VALUE, SENSITIVE_HEADER_NAMES } from './callback-received';
import { SCHEMA_VERSION } from './envelope';

/**
 * A fast path of validateForProduce for callback.received, the event the ingress produces for
 * every callback (where zod's generic walk of the schema costs more than the rest of building
 * the event). True only for a plain-object event that CallbackReceivedEventSchema accepts and
 * whose zod output serialises to the same JSON (same keys, in the schema's order, same values);
 * false says nothing, and the caller validates with zod as usual. So the fast path can only
 * skip work, never change a verdict or the bytes published. A test compares it with the schema.
 */
export function isCanonicalCallbackReceivedEvent(candidate: unknown): boolean {
  if (!hasExactKeys(candidate, ENVELOPE_KEYS)) return false;
  const event = candidate as Record<string, unknown>;
  return (
    typeof event['id'] === 'string' &&
    EVENT_ID_PATTERN.test(event['id']) &&
    event['type'] === 'callback.received' &&
    event['schemaVersion'] === SCHEMA_VERSION &&
    PROVIDER_NAMES.has(event['provider']) &&
    event['source'] === 'callback' &&
    isIsoTimestamp(event['occurredAt']) &&
    isIsoTimestamp(event['observedAt']) &&
    isIdentifier(event['correlationId'], 128) &&
    isCanonicalData(event['data'])
  );
}

const ENVELOPE_KEYS = ['id', 'type', 'schemaVersion', 'provider', 'source', 'occurredAt', 'observedAt', 'correlationId', 'data'];
const DATA_KEYS = ['callbackId', 'sourceName', 'idempotencyKey', 'receivedAt', 'contentType', 'headers', 'rawBodyBase64'];
const DATA_KEYS_WITH_BODY = [...DATA_KEYS, 'parsedBody', 'verification'];
const DATA_KEYS_WITHOUT_BODY = [...DATA_KEYS, 'verification'];
const PROVIDER_NAMES: ReadonlySet<unknown> = new Set(PROVIDERS);
const SCHEMES: ReadonlySet<unknown> = new Set(CALLBACK_VERIFICATION_SCHEMES);
const SENSITIVE: ReadonlySet<string> = new Set(SENSITIVE_HEADER_NAMES);
const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** Padded standard base64 (what Buffer#toString('base64') writes); zod's base64 accepts all of it. */
const BASE64 = /^(?:[0-9a-zA-Z+/]{4})*(?:[0-9a-zA-Z+/]{2}==|[0-9a-zA-Z+/]{3}=)?$/;
/** Date#toISOString's form for years 0000–9999; the fields' ranges are checked by isIsoTimestamp. */
const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An object literal, a JSON.parse object or one without a prototype: what zod takes as a plain object. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A plain object whose own enumerable keys are exactly `keys`, in that order, none undefined. */
function hasExactKeys(value: unknown, keys: readonly string[]): boolean {
  if (!isPlainRecord(value)) return false;
  let index = 0;
  for (const key in value) {
    if (key !== keys[index] || value[key] === undefined) return false;
    index += 1;
  }
  return index === keys.length && Object.getOwnPropertySymbols(value).length === 0;
}

function isIdentifier(value: unknown, maxLength: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= maxLength && !hasControlCharacters(value);
}

/** A real UTC calendar time written as Date#toISOString writes it (proleptic Gregorian, as zod's pattern). */
function isIsoTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_UTC_MILLIS.test(value)) return false;
  const number = (from: number, to: number): number => Number(value.slice(from, to));
  const year = number(0, 4);
  const month = number(5, 7);
  const day = number(8, 10);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days && number(11, 13) <= 23 && number(14, 16) <= 59 && number(17, 19) <= 59;
}

function isCanonicalData(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const keys = 'parsedBody' in value ? DATA_KEYS_WITH_BODY : DATA_KEYS_WITHOUT_BODY;
  if (!hasExactKeys(value, keys)) return false;
  return (
    isIdentifier(value['callbackId'], 128) &&
    typeof value['sourceName'] === 'string' &&
    SOURCE_NAME.test(value['sourceName']) &&
    isIdentifier(value['idempotencyKey'], 512) &&
    isIsoTimestamp(value['receivedAt']) &&
    isIdentifier(value['contentType'], 256) &&
    isCanonicalHeaders(value['headers']) &&
    typeof value['rawBodyBase64'] === 'string' &&
    BASE64.test(value['rawBodyBase64']) &&
    (!('parsedBody' in value) || isCanonicalLosslessJson(value['parsedBody'], 0)) &&
    isCanonicalVerification(value['verification'])
  );
}

function isCanonicalHeaders(value: unknown): boolean {
  if (!isPlainRecord(value) || Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const name in value) {
    const header = value[name];
    // zod rebuilds records by assignment, which would drop a "__proto__" key: leave that to zod.
    if (name === '__proto__' || name.length > 256 || !HEADER_NAME.test(name) || typeof header !== 'string' || header.length > 8_192) return false;
    if (SENSITIVE.has(name) && header !== REDACTED_HEADER_VALUE) return false;
  }
  return true;
}

/** Deeper values are left to zod (and a stack of this depth is no concern). */
const MAX_FAST_DEPTH = 64;

function isCanonicalLosslessJson(value: unknown, depth: number): boolean {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return true;
  if (depth >= MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let index = 0; index < value.length; index += 1) {
      if (!(index in value) || !isCanonicalLosslessJson(value[index], depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainRecord(value) || Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key in value) {
    // zod rebuilds records by assignment, which would drop a "__proto__" key: leave that to zod.
    if (key === '__proto__' || !isCanonicalLosslessJson(value[key], depth + 1)) return false;
  }
  return true;
}

function isCanonicalVerification(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const withKeyId = 'keyId' in value;
  if (!hasExactKeys(value, withKeyId ? ['scheme', 'keyId'] : ['scheme'])) return false;
  return SCHEMES.has(value['scheme']) && (!withKeyId || isIdentifier(value['keyId'], 128));
}
