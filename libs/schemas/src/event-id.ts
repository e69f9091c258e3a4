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
  const hex = createHash('sha256')
    .update(JSON.stringify([EVENT_ID_NAMESPACE, ...parts]), 'utf8')
    .digest('hex');
  // The first 16 bytes, with the version nibble of byte 6 set to 8 and the variant bits of byte 8 to 10.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
