import type { ResourceFetcher, ResourceRecord, SyncPage, SyncPageRequest } from '@finmesh/connector-kit';
import type { FinmeshEvent, LosslessJsonValue } from '@finmesh/schemas';
import { z } from 'zod';
import type { IndodaxClient } from './client';
import { balancesUpdated, tradePosted, transferPosted, type IndodaxAssets, type TransferDirection } from './normalize';
import type { WithdrawalStore } from './withdrawal-store';

export const RESOURCE_KINDS = { order: 'order' } as const;

/** Indodax keeps its days in WIB (UTC+7); transHistory's `start` and `end` are WIB calendar days. */
const WIB_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
/** transHistory refuses more than 7 days between start and end; a window of 7 calendar days stays inside. */
const MAX_WINDOW_DAYS = 7;
/** transHistory returns at most 500 records per currency and direction. */
const TRANS_HISTORY_LIMIT = 500;
const TRADES_PAGE = 1000;

export function wibDay(epochMs: number): string {
  return new Date(epochMs + WIB_OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function minDay(a: string, b: string): string {
  return a < b ? a : b;
}

export interface IndodaxSyncOptions {
  client: IndodaxClient;
  assets: IndodaxAssets;
  withdrawals: WithdrawalStore;
  pairs: readonly string[];
  /** First WIB day of the very first run. */
  historyStart: (serverDay: string) => string;
  orderHistoryCount: number;
}

function readCursor<Schema extends z.ZodType>(cursor: string | null, schema: Schema, resource: string): z.output<Schema> | undefined {
  if (cursor === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    throw new Error(`the stored ${resource} cursor is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`the stored ${resource} cursor has an unknown shape`);
  return parsed.data;
}

/** getInfo: one `balance.updated` per currency, every run. */
export function balancesFetcher(options: IndodaxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const info = await options.client.getInfo(request.signal);
      return { events: balancesUpdated(info, options.assets, request), cursor: null, hasMore: false };
    },
  };
}

const day = z.iso.date();
const tradeIdsSchema = z.record(z.string(), z.string().regex(/^\d+$/));
const transactionsCursorSchema = z.discriminatedUnion('phase', [
  z.strictObject({
    phase: z.literal('transfers'),
    /** The high-water mark: the first WIB day this run (still) has to read. */
    from: day,
    /** Set once a run is under way: the server's day when it began, and the oldest day with a pending entry. */
    today: day.optional(),
    oldestPending: day.nullable().optional(),
    windowDays: z.number().int().min(1).max(MAX_WINDOW_DAYS).optional(),
    lastTrade: tradeIdsSchema,
  }),
  z.strictObject({ phase: z.literal('trades'), nextFrom: day, pairIndex: z.number().int().min(0), lastTrade: tradeIdsSchema }),
  z.strictObject({ phase: z.literal('orders'), nextFrom: day, lastTrade: tradeIdsSchema }),
]);
type TransactionsCursor = z.infer<typeof transactionsCursorSchema>;

/**
 * Everything that moves money, in three phases per run:
 * 1. transHistory, walked from the persisted high-water day in windows of at most 7 days up to
 *    the server's today: deposits and withdrawals as `transaction.posted` (a withdrawal finmesh
 *    requested carries its payment ref). A window that hits the 500-record cap is read again in
 *    halves. The next run starts at the oldest day that still had a pending entry (or yesterday,
 *    for entries that show up late), so pending entries are read until they are final.
 * 2. tradeHistory per configured pair, forward from the last trade id seen: two legs per fill.
 * 3. orderHistory per pair: the orders are kept (open and finished) and served on the API.
 * Re-reading an entry yields the same event id, so overlaps are harmless.
 */
export function transactionsFetcher(options: IndodaxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      let cursor = readCursor(request.cursor, transactionsCursorSchema, 'transactions');
      if (cursor === undefined || (cursor.phase === 'transfers' && cursor.today === undefined)) {
        // The server's clock decides what "today" is (its days are WIB days).
        const info = await options.client.getInfo(request.signal);
        const today = wibDay(Number(info.server_time) * 1000);
        const from = cursor?.phase === 'transfers' ? cursor.from : options.historyStart(today);
        cursor = { phase: 'transfers', from: minDay(from, today), today, oldestPending: null, lastTrade: cursor?.lastTrade ?? {} };
      }
      switch (cursor.phase) {
        case 'transfers':
          return transfersPage(options, request, cursor);
        case 'trades':
          return tradesPage(options, request, cursor);
        case 'orders':
          return ordersPage(options, request, cursor);
      }
    },
  };
}

async function transfersPage(
  options: IndodaxSyncOptions,
  request: SyncPageRequest,
  cursor: Extract<TransactionsCursor, { phase: 'transfers' }>,
): Promise<SyncPage> {
  const today = cursor.today ?? cursor.from;
  const windowDays = cursor.windowDays ?? MAX_WINDOW_DAYS;
  const end = minDay(addDays(cursor.from, windowDays - 1), today);
  const history = await options.client.transHistory({ start: cursor.from, end }, request.signal);
  const lists: Array<[TransferDirection, string, typeof history.deposit[string]]> = [
    ...Object.entries(history.deposit).map(([currency, list]): [TransferDirection, string, typeof list] => ['deposit', currency, list]),
    ...Object.entries(history.withdraw).map(([currency, list]): [TransferDirection, string, typeof list] => ['withdraw', currency, list]),
  ];
  const capped = lists.some(([, , list]) => list.length >= TRANS_HISTORY_LIMIT);
  if (capped && windowDays > 1) {
    return { events: [], cursor: JSON.stringify({ ...cursor, windowDays: Math.max(1, Math.floor(windowDays / 2)) }), hasMore: true };
  }
  if (capped) request.log.warn('transHistory returned its 500-record cap for one day; older entries of that day may be missing', { day: cursor.from });

  const withdrawIds = lists.flatMap(([direction, , list]) => (direction === 'withdraw' ? list.flatMap((entry) => (entry.withdraw_id === undefined ? [] : [entry.withdraw_id])) : []));
  const requestIds = await options.withdrawals.requestIdsOf(withdrawIds);
  const events: FinmeshEvent[] = [];
  let oldestPending = cursor.oldestPending ?? null;
  for (const [direction, currency, list] of lists) {
    for (const entry of list) {
      const requestId = direction === 'withdraw' && entry.withdraw_id !== undefined ? requestIds.get(entry.withdraw_id) : undefined;
      const event = transferPosted(direction, currency, entry, options.assets, { ...request, ...(requestId === undefined ? {} : { paymentRequestId: requestId }) });
      events.push(event);
      if (event.data.status === 'pending') {
        const submitted = entry.submit_time !== undefined && entry.submit_time !== '0' ? wibDay(Number(entry.submit_time) * 1000) : cursor.from;
        oldestPending = oldestPending === null ? submitted : minDay(oldestPending, submitted);
      }
    }
  }
  if (end < today) {
    return { events, cursor: JSON.stringify({ ...cursor, from: addDays(end, 1), oldestPending, windowDays: MAX_WINDOW_DAYS }), hasMore: true };
  }
  const nextFrom = minDay(oldestPending ?? today, addDays(today, -1));
  return { events, cursor: JSON.stringify({ phase: 'trades', nextFrom, pairIndex: 0, lastTrade: cursor.lastTrade }), hasMore: true };
}

async function tradesPage(options: IndodaxSyncOptions, request: SyncPageRequest, cursor: Extract<TransactionsCursor, { phase: 'trades' }>): Promise<SyncPage> {
  const pair = options.pairs[cursor.pairIndex];
  if (pair === undefined) return { events: [], cursor: JSON.stringify({ phase: 'orders', nextFrom: cursor.nextFrom, lastTrade: cursor.lastTrade }), hasMore: true };
  const last = cursor.lastTrade[pair];
  const trades = await options.client.tradeHistory(
    { pair, order: 'asc', count: TRADES_PAGE, ...(last === undefined ? {} : { fromId: (BigInt(last) + 1n).toString() }) },
    request.signal,
  );
  const events = trades.flatMap((trade) => tradePosted(pair, trade, options.assets, request));
  let newest = last;
  for (const trade of trades) if (newest === undefined || BigInt(trade.trade_id) > BigInt(newest)) newest = trade.trade_id;
  const lastTrade = newest === undefined ? cursor.lastTrade : { ...cursor.lastTrade, [pair]: newest };
  const pairIndex = trades.length >= TRADES_PAGE ? cursor.pairIndex : cursor.pairIndex + 1;
  return { events, cursor: JSON.stringify({ ...cursor, pairIndex, lastTrade }), hasMore: true };
}

async function ordersPage(options: IndodaxSyncOptions, request: SyncPageRequest, cursor: Extract<TransactionsCursor, { phase: 'orders' }>): Promise<SyncPage> {
  const records: ResourceRecord[] = [];
  for (const pair of options.pairs) {
    for (const order of await options.client.orderHistory({ pair, count: options.orderHistoryCount }, request.signal)) {
      records.push({ kind: RESOURCE_KINDS.order, id: order.order_id, parentId: pair, data: { ...order, pair } as LosslessJsonValue });
    }
  }
  return { events: [], records, cursor: JSON.stringify({ phase: 'transfers', from: cursor.nextFrom, lastTrade: cursor.lastTrade }), hasMore: false };
}
