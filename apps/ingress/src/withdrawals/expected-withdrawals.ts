import type { IndodaxWithdrawal } from '@finmesh/schemas';
import type { Pool } from 'pg';

/** A withdrawal finmesh asked Indodax for, as the connector announced it on Kafka. */
export interface ExpectedWithdrawal {
  requestId: string;
  currency: string;
  network: string | undefined;
  address: string;
  amount: string;
  memo: string | undefined;
  username: string | undefined;
  paymentKey: string;
  eventId: string;
  /** Two events described the same request_id differently: never confirm it. */
  conflicting: boolean;
}

export interface AnnouncedWithdrawal {
  withdrawal: IndodaxWithdrawal;
  paymentKey: string;
  eventId: string;
}

interface ExpectedWithdrawalRow {
  request_id: string;
  currency: string;
  network: string | null;
  address: string;
  amount: string;
  memo: string | null;
  username: string | null;
  payment_key: string;
  event_id: string;
  conflicting: boolean;
}

function sameRequest(a: IndodaxWithdrawal, b: IndodaxWithdrawal): boolean {
  return (
    a.currency === b.currency &&
    a.network === b.network &&
    a.address === b.address &&
    a.amount === b.amount &&
    a.memo === b.memo &&
    a.username === b.username
  );
}

/** Table ingress_expected_withdrawal: what the Indodax callback is checked against. */
export class ExpectedWithdrawalStore {
  constructor(private readonly pool: Pool) {}

  async find(requestId: string): Promise<ExpectedWithdrawal | undefined> {
    const result = await this.pool.query<ExpectedWithdrawalRow>(
      `SELECT request_id, currency, network, address, amount, memo, username, payment_key, event_id, conflicting
         FROM ingress_expected_withdrawal WHERE request_id = $1`,
      [requestId],
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return {
      requestId: row.request_id,
      currency: row.currency,
      network: row.network ?? undefined,
      address: row.address,
      amount: row.amount,
      memo: row.memo ?? undefined,
      username: row.username ?? undefined,
      paymentKey: row.payment_key,
      eventId: row.event_id,
      conflicting: row.conflicting,
    };
  }

  /**
   * Records announced withdrawals in one statement. The first description of a request_id is
   * kept; a later one that differs marks it conflicting (a callback for it is then refused). The
   * row's trigger notifies waiting callbacks on every replica.
   */
  async record(announced: readonly AnnouncedWithdrawal[]): Promise<void> {
    const byRequest = new Map<string, AnnouncedWithdrawal & { conflicting: boolean }>();
    for (const entry of announced) {
      const first = byRequest.get(entry.withdrawal.requestId);
      if (first === undefined) byRequest.set(entry.withdrawal.requestId, { ...entry, conflicting: false });
      else if (!sameRequest(first.withdrawal, entry.withdrawal)) first.conflicting = true;
    }
    const rows = [...byRequest.values()];
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO ingress_expected_withdrawal AS existing
         (request_id, currency, network, address, amount, memo, username, payment_key, event_id, conflicting)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::uuid[], $10::boolean[])
       ON CONFLICT (request_id) DO UPDATE SET conflicting = true
         WHERE NOT existing.conflicting AND (
           EXCLUDED.conflicting OR
           (existing.currency, existing.network, existing.address, existing.amount, existing.memo, existing.username)
             IS DISTINCT FROM
           (EXCLUDED.currency, EXCLUDED.network, EXCLUDED.address, EXCLUDED.amount, EXCLUDED.memo, EXCLUDED.username))`,
      [
        rows.map((r) => r.withdrawal.requestId),
        rows.map((r) => r.withdrawal.currency),
        rows.map((r) => r.withdrawal.network ?? null),
        rows.map((r) => r.withdrawal.address),
        rows.map((r) => r.withdrawal.amount),
        rows.map((r) => r.withdrawal.memo ?? null),
        rows.map((r) => r.withdrawal.username ?? null),
        rows.map((r) => r.paymentKey),
        rows.map((r) => r.eventId),
        rows.map((r) => r.conflicting),
      ],
    );
  }
}
