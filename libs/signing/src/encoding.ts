import { createHash, createHmac } from 'node:crypto';
import { SigningInputError } from './verification';

/** A request or callback body: the exact bytes sent, or a string sent as UTF-8. */
export type RawBody = string | Uint8Array;

export function bodyBytes(body: RawBody | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacHex(algorithm: 'sha256' | 'sha512', key: string | Uint8Array, data: Uint8Array): string {
  return createHmac(algorithm, key).update(data).digest('hex');
}

/** A non-negative decimal integer without sign, spaces or exponent (what `Number()` would also accept). */
export const DECIMAL_DIGITS = /^[0-9]+$/;

/** Standard base64 (with padding), as the Standard Webhooks secrets and x-clientcert use it. */
export function isStrictBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Printable ASCII without spaces: safe as a header value and unambiguous in a canonical string. */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;

/** Refuses an input that could not travel in a header unchanged; names the input, never its value. */
export function assertHeaderToken(value: string, inputName: string): void {
  if (!HEADER_TOKEN.test(value)) {
    throw new SigningInputError(`${inputName} must be non-empty printable ASCII without spaces`);
  }
}

export function assertNonEmptySecret(secret: string | Uint8Array, inputName: string): void {
  if (secret.length === 0) throw new SigningInputError(`${inputName} is empty`);
}
