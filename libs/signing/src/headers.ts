import { VerificationFailureReason, verificationFailure, verified, type VerificationResult } from './verification';

/**
 * Request headers as the verifiers accept them: Node's `IncomingHttpHeaders` (or any plain
 * record, looked up case-insensitively) or a fetch-style `Headers` object.
 */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

type HeaderLookup = { kind: 'absent' } | { kind: 'single'; value: string } | { kind: 'repeated' };

/**
 * Reads one header that must occur exactly once, trimmed. A header sent twice is refused rather
 * than guessed at: two `X-API-SIGNATURE` values are ambiguous.
 */
export function readRequiredHeader(headers: HeaderSource, name: string): VerificationResult<string> {
  const lookup = lookupHeader(headers, name);
  switch (lookup.kind) {
    case 'absent':
      return verificationFailure(VerificationFailureReason.MissingHeader, `header ${name} is missing`);
    case 'repeated':
      return verificationFailure(VerificationFailureReason.MalformedHeader, `header ${name} is sent more than once`);
    case 'single': {
      const value = lookup.value.trim();
      return value === ''
        ? verificationFailure(VerificationFailureReason.MissingHeader, `header ${name} is empty`)
        : verified(value);
    }
  }
}

function lookupHeader(headers: HeaderSource, name: string): HeaderLookup {
  if (isFetchHeaders(headers)) {
    const value = headers.get(name);
    return value === null ? { kind: 'absent' } : { kind: 'single', value };
  }
  const wanted = name.toLowerCase();
  // One pass over the names without copying the record: this runs several times per request.
  // Header names are ASCII, and no other name lower-cases to an ASCII name of another length.
  let count = 0;
  let found: string | undefined;
  for (const key in headers) {
    if (!Object.prototype.hasOwnProperty.call(headers, key) || key.length !== wanted.length) continue;
    const value = headers[key];
    if (value === undefined || (key !== wanted && key.toLowerCase() !== wanted)) continue;
    // A plain record can hold `X-Api-Key` and `x-api-key` at once: that is a repeated header too.
    if (typeof value === 'string') {
      count += 1;
      found = value;
    } else {
      count += value.length;
      if (value.length > 0) found = value[0];
    }
  }
  if (count === 0 || found === undefined) return { kind: 'absent' };
  return count === 1 ? { kind: 'single', value: found } : { kind: 'repeated' };
}

function isFetchHeaders(headers: HeaderSource): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}
