import { createHash } from 'node:crypto';

/**
 * `Idempotency-Key` handling for payment initiation: the same key with the same body returns the
 * first answer again; the same key with a different body is a conflict.
 */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict' };

export class IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  lookup(scope: string, key: string, body: Buffer): IdempotencyLookup {
    const entry = this.entries.get(`${scope}\n${key}`);
    if (!entry) return { kind: 'new' };
    return entry.fingerprint === fingerprint(body) ? { kind: 'replay', response: entry.response } : { kind: 'conflict' };
  }

  remember(scope: string, key: string, body: Buffer, response: StoredResponse): void {
    this.entries.set(`${scope}\n${key}`, { fingerprint: fingerprint(body), response });
  }
}

function fingerprint(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
