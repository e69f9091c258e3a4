import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a value the verifier computed or holds (`expected`) with one a caller sent
 * (`provided`) in time that depends only on the length of `expected`. `timingSafeEqual` throws
 * on a length mismatch, so on a mismatch `expected` is compared with itself: the same work is
 * done and the only thing an observer can learn is whether the lengths differ.
 */
export function constantTimeEqual(expected: string | Uint8Array, provided: string | Uint8Array): boolean {
  const expectedBytes = toBytes(expected);
  const providedBytes = toBytes(provided);
  const lengthsMatch = expectedBytes.length === providedBytes.length;
  const contentsMatch = timingSafeEqual(expectedBytes, lengthsMatch ? providedBytes : expectedBytes);
  return lengthsMatch && contentsMatch;
}

/**
 * True when `provided` equals any of `candidates`. Every candidate is compared (no early exit),
 * so the time taken does not reveal which candidate matched or how many were tried before it.
 */
export function constantTimeEqualsAny(candidates: readonly (string | Uint8Array)[], provided: string | Uint8Array): boolean {
  let matched = false;
  for (const candidate of candidates) {
    const candidateMatches = constantTimeEqual(candidate, provided);
    matched = matched || candidateMatches;
  }
  return matched;
}

function toBytes(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
