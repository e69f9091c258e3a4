import type { ResourceFetcher, SyncPage, SyncPageRequest } from '@finmesh/connector-kit';
import type { FinmeshEvent } from '@finmesh/schemas';
import type { __Name__Client } from './client';
import { balanceUpdated } from './normalize';

export const ACCOUNT_KIND = 'account';

export interface __Name__SyncOptions {
  client: Pick<__Name__Client, 'accounts' | 'balance'>;
  pageSize: number;
}

/** Accounts, page by page with the provider's own cursor (the kit persists it), kept and served. */
export function accountsFetcher(options: __Name__SyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const page = await options.client.accounts({ limit: options.pageSize, ...(request.cursor === null ? {} : { cursor: request.cursor }) }, request.signal);
      return {
        events: [],
        records: page.accounts.map(({ value, raw }) => ({ kind: ACCOUNT_KIND, id: value.id, data: raw })),
        // The provider's cursor while pages remain; each run starts from the first page again.
        cursor: page.nextCursor,
        hasMore: page.nextCursor !== null,
      };
    },
  };
}

/** A balance per kept account, a page of accounts at a time, as `balance.updated`. */
export function balancesFetcher(options: __Name__SyncOptions): ResourceFetcher {
  return {
    async fetchPage(request: SyncPageRequest): Promise<SyncPage> {
      const accounts = await request.resources.list(ACCOUNT_KIND, { limit: options.pageSize, ...(request.cursor === null ? {} : { afterId: request.cursor }) });
      const events: FinmeshEvent[] = [];
      for (const account of accounts) events.push(balanceUpdated(await options.client.balance(account.id, request.signal), request));
      const last = accounts[accounts.length - 1];
      const hasMore = accounts.length === options.pageSize && last !== undefined;
      return { events, cursor: hasMore ? last.id : null, hasMore };
    },
  };
}
