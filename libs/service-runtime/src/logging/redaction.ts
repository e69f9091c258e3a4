import { SENSITIVE_HEADER_NAMES } from '@finmesh/schemas';

export const LOG_REDACTED = '[REDACTED]';

/**
 * Field names whose values are credentials or account numbers wherever they appear in a logged
 * object (request bodies, provider responses, errors), compared without case.
 */
export const SENSITIVE_FIELD_NAMES: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'apiSecret',
  'api_secret',
  'clientSecret',
  'client_secret',
  'privateKey',
  'private_key',
  'authorization',
  'iban',
  'accountNumber',
  'account_number',
  'bankAccountNumber',
  'bank_account_number',
  'cardNumber',
  'card_number',
  'pan',
];

/** Header names redacted in logs: the event contract's list plus a few more a proxy may add. */
export const SENSITIVE_LOG_HEADERS: readonly string[] = [
  ...new Set([...SENSITIVE_HEADER_NAMES, 'x-admin-token', 'x-indexo-notification-token', 'x-api-secret']),
];

const SENSITIVE_KEYS = new Set([...SENSITIVE_FIELD_NAMES, ...SENSITIVE_LOG_HEADERS].map((name) => name.toLowerCase()));
const MAX_CENSOR_DEPTH = 8;

/** True for a key whose value is a credential or an account number (case-insensitive). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase());
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of `value` in which every sensitive key (at any depth up to 8, in plain objects and
 * arrays) has the value `[REDACTED]`. Class instances (errors, requests, buffers) are left to
 * their serializers. One walk over the object with set lookups: cheaper than path-based redaction
 * with wildcards, and it finds the field wherever it sits.
 */
export function censorSensitive(value: unknown, depth = 0): unknown {
  if (depth > MAX_CENSOR_DEPTH) return value;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => censorSensitive(item, depth + 1));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const original = value[key];
    const censored = isSensitiveKey(key) && original !== undefined ? LOG_REDACTED : censorSensitive(original, depth + 1);
    if (censored !== original) {
      copy ??= { ...value };
      Object.defineProperty(copy, key, { value: censored, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? value;
}

/** Request headers for a log line, with credential headers replaced by `[REDACTED]`. */
export function censorHeaders(headers: unknown): unknown {
  if (headers === null || typeof headers !== 'object') return headers;
  const censored: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    Object.defineProperty(censored, name, {
      value: isSensitiveKey(name) ? LOG_REDACTED : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return censored;
}
