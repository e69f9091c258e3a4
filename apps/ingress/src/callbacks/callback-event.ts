import {
  eventIdOf,
  REDACTED_HEADER_VALUE,
  SCHEMA_VERSION,
  SENSITIVE_HEADER_NAMES,
  type CallbackReceivedEvent,
  type EventWithoutId,
} from '@finmesh/schemas';
import { parsedBodyOf } from '../http/bodies';
import type { CallbackRecord } from './callback-store';

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,256}$/;
const MAX_HEADER_VALUE_LENGTH = 8_192;
/** The contract's list (redactCallbackHeaders applies the same); a set for one lookup per header. */
const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(SENSITIVE_HEADER_NAMES);

/**
 * The headers a callback is stored and published with: names in lower case, repeated values
 * joined with ", ", credentials and signatures redacted (the contract refuses them otherwise),
 * as redactCallbackHeaders does, in one pass; and headers the contract cannot
 * carry (a value over 8 KiB) left out rather than truncated into something that was never sent.
 */
export function storableHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
  const storable: Record<string, string> = {};
  for (const rawName in headers) {
    const rawValue = headers[rawName];
    if (rawValue === undefined || !Object.prototype.hasOwnProperty.call(headers, rawName)) continue;
    const name = rawName.toLowerCase();
    const value = typeof rawValue === 'string' ? rawValue : rawValue.join(', ');
    if (!HEADER_NAME.test(name) || value.length > MAX_HEADER_VALUE_LENGTH) continue;
    const stored = SENSITIVE_HEADERS.has(name) ? REDACTED_HEADER_VALUE : value;
    // defineProperty: a header named "__proto__" stays a header.
    if (name === '__proto__') Object.defineProperty(storable, name, { value: stored, enumerable: true, writable: true, configurable: true });
    else storable[name] = stored;
  }
  return storable;
}

/**
 * The callback.received event of a stored callback. Deterministic: the same record always gives
 * the same event (and the id depends only on provider, source and idempotency key), so a replay
 * or a retried publish of a pending row republishes exactly what the first attempt would have.
 *
 * Built field by field from values that satisfy the contract by construction (checked header
 * names and lengths, a checked idempotency key and content type, base64 of the bytes, a parsed
 * view from finmesh's own parsers), with the contract's own id function. It is validated once,
 * where every finmesh event is: by EventPublisher (validateForProduce) before it leaves the
 * process. (createEvent would validate it a second time: a third of the request's CPU.)
 */
export function callbackEventOf(record: CallbackRecord): CallbackReceivedEvent {
  const parsedBody = parsedBodyOf(record.contentType, record.body);
  const receivedAt = record.receivedAt.toISOString();
  const withoutId = {
    type: 'callback.received' as const,
    schemaVersion: SCHEMA_VERSION as typeof SCHEMA_VERSION,
    provider: record.provider,
    source: 'callback' as const,
    occurredAt: record.occurredAt.toISOString(),
    observedAt: receivedAt,
    correlationId: record.correlationId,
    data: {
      callbackId: record.id,
      sourceName: record.source,
      idempotencyKey: record.idempotencyKey,
      receivedAt,
      contentType: record.contentType,
      headers: record.headers,
      rawBodyBase64: record.body.toString('base64'),
      ...(parsedBody === undefined ? {} : { parsedBody }),
      verification: record.verification,
    },
  };
  return { id: eventIdOf(withoutId as EventWithoutId), ...withoutId };
}
