import type { ResourceFetcher, ResourceRecord, SyncPage, SyncPageRequest } from '@finmesh/connector-kit';
import type { FinmeshEvent } from '@finmesh/schemas';
import { z } from 'zod';
import type { IndxClient } from './client';
import { balanceUpdated, transactionPosted, type IndxAssets } from './normalize';

export const RESOURCE_KINDS = { account: 'account', depositLocation: 'deposit_location', externalAccount: 'external_account' } as const;

export interface IndxSyncOptions {
  client: Pick<IndxClient, 'accounts' | 'depositLocations' | 'externalAccounts' | 'balance' | 'transactions'>;
  assets: IndxAssets;
  transactionsPageSize: number;
  transactionsOverlapMs: number;
  accountsPerPage: number;
}

/** Cursors are JSON the connector owns; the kit stores them as opaque text. */
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

const accountsCursorSchema = z.strictObject({ phase: z.literal('deposit-locations'), after: z.string().nullable() });

/**
 * Accounts (one page: the list), then their deposit locations, a batch of accounts per page. No
 * events: accounts and deposit locations are kept and served on the connector's API.
 */
export function accountsFetcher(options: IndxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor = readCursor(request.cursor, accountsCursorSchema, 'accounts');
      if (cursor === undefined) {
        const accounts = await options.client.accounts(request.signal);
        const records: ResourceRecord[] = accounts.map(({ value, raw }) => ({ kind: RESOURCE_KINDS.account, id: value.id, data: raw }));
        // No accounts: nothing to ask deposit locations for; the next run lists again.
        if (records.length === 0) return { events: [], records, cursor: null, hasMore: false };
        return { events: [], records, cursor: JSON.stringify({ phase: 'deposit-locations', after: null }), hasMore: true };
      }
      const batch = await request.resources.list(RESOURCE_KINDS.account, { limit: options.accountsPerPage, ...(cursor.after === null ? {} : { afterId: cursor.after }) });
      const records: ResourceRecord[] = [];
      for (const account of batch) {
        for (const { value, raw } of await options.client.depositLocations(account.id, request.signal)) {
          records.push({ kind: RESOURCE_KINDS.depositLocation, id: value.id, parentId: account.id, data: raw });
        }
      }
      const last = batch[batch.length - 1];
      const hasMore = batch.length === options.accountsPerPage && last !== undefined;
      // After the last batch the next run starts over with the account list.
      return { events: [], records, cursor: hasMore ? JSON.stringify({ phase: 'deposit-locations', after: last.id }) : null, hasMore };
    },
  };
}

/** External (withdrawal) accounts: one page, kept and served. */
export function externalAccountsFetcher(options: IndxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const accounts = await options.client.externalAccounts(request.signal);
      return {
        events: [],
        records: accounts.map(({ value, raw }) => ({ kind: RESOURCE_KINDS.externalAccount, id: value.id, data: raw })),
        cursor: null,
        hasMore: false,
      };
    },
  };
}

const balancesCursorSchema = z.strictObject({ after: z.string() });

/** Balances of the kept accounts, a batch per page, as `balance.updated`. */
export function balancesFetcher(options: IndxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor = readCursor(request.cursor, balancesCursorSchema, 'balances');
      const batch = await request.resources.list(RESOURCE_KINDS.account, { limit: options.accountsPerPage, ...(cursor === undefined ? {} : { afterId: cursor.after }) });
      const events: FinmeshEvent[] = [];
      for (const account of batch) {
        const balance = await options.client.balance(account.id, request.signal);
        events.push(balanceUpdated(balance, options.assets, request));
      }
      const last = batch[batch.length - 1];
      const hasMore = batch.length === options.accountsPerPage && last !== undefined;
      return { events, cursor: hasMore ? JSON.stringify({ after: last.id }) : null, hasMore };
    },
  };
}

const isoInstant = z.iso.datetime({ offset: true });
const transactionsCursorSchema = z.strictObject({
  /** Lower bound (createdAt) of the run; null: the whole history. */
  since: isoInstant.nullable(),
  /** INDX's own cursor of the next page, while a run is in progress. */
  page: z.string().min(1).optional(),
  /** Newest createdAt seen in this run. */
  newest: isoInstant.nullable().optional(),
  /** Oldest createdAt of an entry still pending in this run: the next run must see it again. */
  oldestPending: isoInstant.nullable().optional(),
});
type TransactionsCursor = z.infer<typeof transactionsCursorSchema>;

/**
 * Transactions, incrementally: a run pages through everything INDX created since the previous
 * run's watermark (INDX's cursor pages are stable while new entries arrive on top). The next
 * watermark is the newest creation time seen, or, while an entry is still pending, that entry's
 * creation time: it is read again until it completes and is booked. Booked entries become
 * `transaction.posted`; re-reading one gives the same event id, so overlaps are harmless.
 */
export function transactionsFetcher(options: IndxSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor: TransactionsCursor = readCursor(request.cursor, transactionsCursorSchema, 'transactions') ?? { since: null };
      const page = await options.client.transactions(
        {
          limit: options.transactionsPageSize,
          ...(cursor.since === null ? {} : { startDate: cursor.since }),
          ...(cursor.page === undefined ? {} : { cursor: cursor.page }),
        },
        request.signal,
      );
      let newest = cursor.newest ?? null;
      let oldestPending = cursor.oldestPending ?? null;
      const events: FinmeshEvent[] = [];
      for (const { value } of page.transactions) {
        if (newest === null || Date.parse(value.createdAt) > Date.parse(newest)) newest = value.createdAt;
        if (value.status === 'pending' && (oldestPending === null || Date.parse(value.createdAt) < Date.parse(oldestPending))) oldestPending = value.createdAt;
        const event = transactionPosted(value, options.assets, request);
        if (event) events.push(event);
      }
      if (page.hasMore && page.nextCursor !== null) {
        const next: TransactionsCursor = { since: cursor.since, page: page.nextCursor, newest, oldestPending };
        return { events, cursor: JSON.stringify(next), hasMore: true };
      }
      const watermark = oldestPending ?? newest ?? cursor.since;
      const since = watermark === null ? null : new Date(Date.parse(watermark) - options.transactionsOverlapMs).toISOString();
      return { events, cursor: JSON.stringify({ since }), hasMore: false };
    },
  };
}
