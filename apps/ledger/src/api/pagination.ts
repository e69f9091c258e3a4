import { z } from 'zod';
import { LedgerApiError } from './api-error';

/** Opaque cursors: the last row's id, base64url-encoded, so clients never build them. */
export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^v1:(\d{1,19})$/.exec(decoded);
  if (!match?.[1]) throw new LedgerApiError('invalid_request', 'cursor is not one this API returned');
  return match[1];
}

export const PageQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is more. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export function parseQuery<T>(schema: z.ZodType<T>, query: unknown, what = 'query parameters'): T {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw LedgerApiError.fromZod(result.error, what);
  return result.data;
}
