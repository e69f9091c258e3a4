import type { ResourceReader, StoredResource, SyncPageRequest } from '@finmesh/connector-kit';
import { silentLogger, UpstreamError } from '@finmesh/connector-kit';
import type { FinmeshEvent, LosslessJsonValue } from '@finmesh/schemas';
import type { AccountListQuery, AccountPage, FinxAccount, FinxClient } from './client';
import { FinxAssets, RESOURCE_KINDS } from './normalize';
import { accountsFetcher } from './sync';

/** Fin X's list as a fake: pages by starting_after, like the documented cursor. */
class FakeFinx {
  accounts: FinxAccount[] = [];
  readonly queries: AccountListQuery[] = [];

  listAccounts(query: AccountListQuery): Promise<AccountPage> {
    this.queries.push(query);
    const after = query.startingAfter === undefined ? -1 : this.accounts.findIndex((account) => account.id === query.startingAfter);
    if (query.startingAfter !== undefined && after < 0) {
      // As Fin X (the sandbox) answers a cursor naming an account that is gone: 400.
      return Promise.reject(new UpstreamError('invalid_request', `starting_after ${query.startingAfter} is not an account in this list`, { provider: 'finx', endpoint: 'accounts.list', httpStatus: 400 }));
    }
    const start = after + 1;
    const page = this.accounts.slice(start, start + query.limit);
    return Promise.resolve({ accounts: page.map((value) => ({ value, raw: { ...value } as LosslessJsonValue })), hasMore: start + query.limit < this.accounts.length });
  }
}

/** The kit's resource store as a fake: records with their last-seen time. */
class FakeResources implements ResourceReader {
  readonly rows = new Map<string, StoredResource>();

  write(records: ReadonlyArray<{ kind: string; id: string; data: LosslessJsonValue }>, seenAt: Date): void {
    for (const record of records) {
      const previous = this.rows.get(`${record.kind}/${record.id}`);
      this.rows.set(`${record.kind}/${record.id}`, { ...record, firstSeenAt: previous?.firstSeenAt ?? seenAt, lastSeenAt: seenAt });
    }
  }

  list(kind: string, options: { afterId?: string; limit?: number } = {}): Promise<StoredResource[]> {
    const rows = [...this.rows.values()].filter((row) => row.kind === kind && (options.afterId === undefined || row.id > options.afterId)).sort((a, b) => (a.id < b.id ? -1 : 1));
    return Promise.resolve(rows.slice(0, options.limit ?? 1_000));
  }

  get(kind: string, id: string): Promise<StoredResource | undefined> {
    return Promise.resolve(this.rows.get(`${kind}/${id}`));
  }
}

const account = (id: string, balance: string, updatedAt = '1700000000'): FinxAccount => ({
  id,
  type: 'savings',
  balance,
  currency: 'USD',
  owner_id: 'owner',
  created_at: '1700000000',
  updated_at: updatedAt,
});

const accountIdOf = (event: FinmeshEvent): string | undefined => ('account' in event ? event.account?.id : undefined);

describe('the accounts sync', () => {
  let finx: FakeFinx;
  let resources: FakeResources;
  let clock: number;
  const errors: Array<Record<string, unknown> | undefined> = [];

  /** Runs pages until the run is done, keeping records as the kit's engine does (after publishing). */
  const run = async (afterPage: (page: number) => void = () => undefined): Promise<{ pages: number; events: FinmeshEvent[] }> => {
    const fetcher = accountsFetcher({ client: finx as unknown as FinxClient, assets: new FinxAssets(), pageSize: 2 });
    const events: FinmeshEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      clock += 1_000;
      const request: SyncPageRequest = {
        cursor,
        correlationId: 'sync-finx-accounts-run',
        observedAt: new Date(clock),
        resources,
        signal: new AbortController().signal,
        log: { ...silentLogger, error: (_message, extra) => errors.push(extra) },
      };
      const page = await fetcher.fetchPage(request);
      events.push(...page.events);
      clock += 1;
      resources.write(page.records ?? [], new Date(clock));
      pages += 1;
      afterPage(pages);
      cursor = page.cursor;
      if (!page.hasMore) return { pages, events };
    }
  };

  beforeEach(() => {
    finx = new FakeFinx();
    resources = new FakeResources();
    clock = Date.parse('2025-01-01T00:00:00Z');
    errors.length = 0;
    finx.accounts = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id, index) => account(id, `${100 + index}.50`));
  });

  it('walks the pages with starting_after on the last id and publishes one balance per account', async () => {
    const first = await run();
    expect(first.pages).toBe(3);
    expect(finx.queries.map((query) => query.startingAfter)).toEqual([undefined, 'a2', 'a4']);
    expect(first.events.map((event) => accountIdOf(event))).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect((await run()).events).toEqual([]);
  });

  it('publishes a changed balance with the movement behind it, rechecks it on the next run, then publishes nothing', async () => {
    await run();
    finx.accounts[2] = account('a3', '99.99', '1700000060');
    const second = await run();
    expect(second.events.map((event) => [event.type, accountIdOf(event)])).toEqual([
      ['transaction.posted', 'a3'],
      ['balance.updated', 'a3'],
    ]);
    const recheck = await run();
    expect(recheck.events).toEqual([expect.objectContaining({ type: 'balance.updated', account: expect.objectContaining({ id: 'a3' }), data: expect.objectContaining({ providerVersion: '1700000060:recheck' }) })]);
    expect((await run()).events).toEqual([]);
  });

  it('reports an account Fin X no longer lists as account.closed, once', async () => {
    await run();
    finx.accounts = finx.accounts.filter((entry) => entry.id !== 'a4');
    const second = await run();
    expect(second.events).toEqual([expect.objectContaining({ type: 'account.closed', account: expect.objectContaining({ id: 'a4' }), data: { closure: 'deleted', reason: 'no longer listed by Fin X' } })]);
    expect(await resources.get(RESOURCE_KINDS.closedAccount, 'a4')).toBeDefined();
    expect((await run()).events).toEqual([]);
  });

  it('lists again from the first page when Fin X refuses the cursor (its account deleted between two pages), repeating no event', async () => {
    await run();
    finx.accounts[3] = account('a4', '7.00', '1700000060');
    finx.queries.length = 0;
    const second = await run((page) => {
      if (page === 1) finx.accounts = finx.accounts.filter((entry) => entry.id !== 'a2');
    });
    // a2 refused as a cursor, then the first page again, then on from a3.
    expect(finx.queries.map((query) => query.startingAfter)).toEqual([undefined, 'a2', undefined, 'a3']);
    expect(second.events.map((event) => [event.type, accountIdOf(event)])).toEqual([
      ['transaction.posted', 'a4'],
      ['balance.updated', 'a4'],
    ]);
    // a2 was listed in this run before it went: the next run reports it, once.
    expect((await run()).events.filter((event) => event.type === 'account.closed').map((event) => accountIdOf(event))).toEqual(['a2']);
  });

  it('refuses an inexact balance with an error, keeps syncing the others, and publishes it once Fin X is exact again', async () => {
    finx.accounts[1] = account('a2', '10.005');
    const first = await run();
    expect(first.events.map((event) => accountIdOf(event))).toEqual(['a1', 'a3', 'a4', 'a5']);
    expect(errors).toEqual([expect.objectContaining({ accountId: 'a2', reason: expect.stringContaining('10.005') })]);
    // Still listed, so never mistaken for a deleted account.
    expect((await run()).events).toEqual([]);
    finx.accounts[1] = account('a2', '10.01', '1700000060');
    expect((await run()).events.map((event) => accountIdOf(event))).toEqual(['a2']);
  });
});
