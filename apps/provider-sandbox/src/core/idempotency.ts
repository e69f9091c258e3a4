import { createHash } from 'node:crypto';
import { parseJson, serializeJson } from '../http/json';

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

/** Bodies saved as their JSON text: they may hold exact numbers (LosslessNumber), which only JSON keeps. */
export type IdempotencySnapshot = ReadonlyMap<string, { fingerprint: string; status: number; bodyJson: string }>;

export class IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  snapshot(): IdempotencySnapshot {
    return new Map(
      [...this.entries].map(([key, { fingerprint, response }]) => [key, { fingerprint, status: response.status, bodyJson: serializeJson(response.body) }]),
    );
  }

  restore(snapshot: IdempotencySnapshot): void {
    this.entries.clear();
    for (const [key, { fingerprint, status, bodyJson }] of snapshot) {
      const body = parseJson(bodyJson);
      if (!body.ok) throw new Error(`a saved idempotency record is not JSON: ${body.error}`);
      this.entries.set(key, { fingerprint, response: { status, body: body.value } });
    }
  }

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
