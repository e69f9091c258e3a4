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
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    // A plain record can hold `X-Api-Key` and `x-api-key` at once: that is a repeated header too.
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  const [first, ...rest] = values;
  if (first === undefined) return { kind: 'absent' };
  return rest.length === 0 ? { kind: 'single', value: first } : { kind: 'repeated' };
}

function isFetchHeaders(headers: HeaderSource): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}
