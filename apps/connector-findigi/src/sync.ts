import type { ResourceFetcher, ResourceRecord, SyncPage, SyncPageRequest } from '@finmesh/connector-kit';
import type { FinmeshEvent } from '@finmesh/schemas';
import { z } from 'zod';
import type { FindigiClient } from './client';
import { vaultBalanceUpdated, vaultTransactionPosted, walletBalanceUpdated, walletTransactionPosted, type FindigiAssets } from './normalize';

export const RESOURCE_KINDS = { wallet: 'wallet', vaultWallet: 'finvault_wallet' } as const;

/** A workspace has a handful of wallets; more than this is read in one listing only up to it. */
const MAX_WALLETS = 1_000;
/** The transactions run's target after the fiat wallets: the workspace's FinVault transactions. */
const FINVAULT_TARGET = '@finvault';

export interface FindigiSyncOptions {
  client: FindigiClient;
  assets: FindigiAssets;
  pageSize: number;
  finvault: boolean;
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

/** Fiat wallets and FinVault wallets of the workspace, kept and served; no events. */
export function accountsFetcher(options: FindigiSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const records: ResourceRecord[] = (await options.client.wallets(request.signal)).map(({ value, raw }) => ({ kind: RESOURCE_KINDS.wallet, id: value.id, data: raw }));
      if (options.finvault) {
        for (const { value, raw } of await options.client.vaultWallets(request.signal)) records.push({ kind: RESOURCE_KINDS.vaultWallet, id: value.id, data: raw });
      }
      return { events: [], records, cursor: null, hasMore: false };
    },
  };
}

/** Every fiat wallet's balance per currency and every FinVault position, as `balance.updated`. */
export function balancesFetcher(options: FindigiSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const events: FinmeshEvent[] = [];
      // FinDIGI's clock, as its last wallet balance gave it: FinVault positions are dated on it too.
      let findigiNow: string | undefined;
      for (const wallet of await request.resources.list(RESOURCE_KINDS.wallet, { limit: MAX_WALLETS })) {
        const balances = await options.client.walletBalances(wallet.id, request.signal);
        findigiNow = balances.as_of;
        for (const balance of balances.balances) events.push(walletBalanceUpdated(balances.wallet_id, balance, balances.as_of, options.assets, request));
      }
      if (options.finvault) {
        for (const wallet of await request.resources.list(RESOURCE_KINDS.vaultWallet, { limit: MAX_WALLETS })) {
          for (const balance of await options.client.vaultBalances(wallet.id, request.signal)) {
            events.push(vaultBalanceUpdated(wallet.id, balance, options.assets, request, findigiNow));
          }
        }
      }
      return { events, cursor: null, hasMore: false };
    },
  };
}

const isoInstant = z.iso.datetime({ offset: true });
const transactionsCursorSchema = z.strictObject({
  /** Per fiat wallet: lower bound (created_at) of its next run. */
  since: z.record(z.string(), isoInstant),
  /** The wallet (or FinVault) being read, while a run is in progress. */
  target: z.string().optional(),
  /** FinDIGI's cursor of the target's next page. */
  page: z.string().min(1).optional(),
  /** Newest created_at, and oldest created_at still pending, seen in the target so far. */
  newest: isoInstant.optional(),
  oldestPending: isoInstant.optional(),
});
type TransactionsCursor = z.infer<typeof transactionsCursorSchema>;

function earlier(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) < Date.parse(a) ? b : a;
}

function later(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * Transactions: each fiat wallet's history since its watermark (the newest entry seen, or the
 * oldest still pending: it is read again until it completes), one FinDIGI page per sync page;
 * then the workspace's FinVault transactions, read whole each run (FinDIGI filters them by no
 * date). Re-reading an entry gives the same event id, so overlaps are harmless.
 */
export function transactionsFetcher(options: FindigiSyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const cursor: TransactionsCursor = readCursor(request.cursor, transactionsCursorSchema, 'transactions') ?? { since: {} };
      const targets = (await request.resources.list(RESOURCE_KINDS.wallet, { limit: MAX_WALLETS })).map((wallet) => wallet.id);
      if (options.finvault) targets.push(FINVAULT_TARGET);
      const target = cursor.target ?? targets[0];
      if (target === undefined) return { events: [], cursor: JSON.stringify({ since: cursor.since }), hasMore: false };
      const events: FinmeshEvent[] = [];
      let nextPage: string | null;
      let newest = cursor.newest;
      let oldestPending = cursor.oldestPending;
      if (target === FINVAULT_TARGET) {
        const page = await options.client.vaultTransactions({ limit: options.pageSize, ...(cursor.page === undefined ? {} : { cursor: cursor.page }) }, request.signal);
        for (const transaction of page.items) {
          const event = vaultTransactionPosted(transaction, options.assets, request);
          if (event) events.push(event);
        }
        nextPage = page.nextCursor;
      } else {
        const since = cursor.since[target];
        const page = await options.client.walletHistory(
          target,
          { limit: options.pageSize, ...(cursor.page === undefined ? {} : { cursor: cursor.page }), ...(since === undefined ? {} : { from: since }) },
          request.signal,
        );
        for (const item of page.items) {
          newest = later(newest, item.created_at);
          if (item.status === 'pending') oldestPending = earlier(oldestPending, item.created_at);
          const event = walletTransactionPosted(item, options.assets, request);
          if (event) events.push(event);
        }
        nextPage = page.nextCursor;
      }
      if (nextPage !== null) {
        const next: TransactionsCursor = { since: cursor.since, target, page: nextPage, ...(newest === undefined ? {} : { newest }), ...(oldestPending === undefined ? {} : { oldestPending }) };
        return { events, cursor: JSON.stringify(next), hasMore: true };
      }
      const since = { ...cursor.since };
      const watermark = oldestPending ?? newest;
      if (target !== FINVAULT_TARGET && watermark !== undefined) since[target] = watermark;
      const following = targets[targets.indexOf(target) + 1];
      if (following === undefined) return { events, cursor: JSON.stringify({ since }), hasMore: false };
      return { events, cursor: JSON.stringify({ since, target: following }), hasMore: true };
    },
  };
}
