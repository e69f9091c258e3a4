import { createHash } from 'node:crypto';

/**
 * Namespace of the id scheme: hashed first, so ids of this scheme can never collide with ids
 * from another encoding of the same parts (a future scheme gets a new namespace).
 */
export const EVENT_ID_NAMESPACE = 'finmesh.event-id.v1';

/** One part of a fact's identity: a string, or null for "absent" (distinct from ""). */
export type IdentityPart = string | null;

/**
 * A UUID (version 8, RFC 9562 variant) from the SHA-256 of the JSON array
 * `[namespace, ...parts]`. A JSON array of strings is an unambiguous encoding: ["a:b","c"] and
 * ["a","b:c"] hash differently, unlike a joined string. 122 bits of the hash remain, so two
 * different facts collide with negligible probability.
 */
export function deterministicEventId(parts: readonly IdentityPart[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([EVENT_ID_NAMESPACE, ...parts]), 'utf8')
    .digest();
  const bytes = Uint8Array.from(digest.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
