import type { ResourceReader, StoredResource, SyncPageRequest } from '@finmesh/connector-kit';
import { silentLogger } from '@finmesh/connector-kit';
import type { LosslessJsonValue } from '@finmesh/schemas';
import type { IndxTransaction, TransactionPage, TransactionPageQuery } from './client';
import { IndxAssets } from './normalize';
import { accountsFetcher, balancesFetcher, transactionsFetcher, type IndxSyncOptions } from './sync';

function entry(id: string, createdAt: string, status: IndxTransaction['status'] = 'completed'): { value: IndxTransaction; raw: LosslessJsonValue } {
  const value: IndxTransaction = {
    id,
    accountId: 'acc_1',
    type: 'deposit',
    status,
    amount: '10.00',
    currency: 'USD',
    description: 'Deposit',
    reference: null,
    counterparty: null,
    wireTransferId: null,
    transferId: null,
    createdAt,
    completedAt: status === 'completed' ? createdAt : null,
  };
  return { value, raw: { id } };
}

/** A fake INDX with a list of entries served newest first, `limit` at a time. */
class FakeIndx {
  entries: Array<ReturnType<typeof entry>> = [];
  queries: TransactionPageQuery[] = [];

  transactions(query: TransactionPageQuery): Promise<TransactionPage> {
    this.queries.push(query);
    const visible = this.entries.filter((candidate) => query.startDate === undefined || candidate.value.createdAt >= query.startDate);
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const page = visible.slice(start, start + query.limit);
    const hasMore = start + query.limit < visible.length;
    return Promise.resolve({ transactions: page, hasMore, nextCursor: hasMore ? String(start + query.limit) : null });
  }
}

function reader(accounts: string[]): ResourceReader {
  const stored = (id: string): StoredResource => ({ kind: 'account', id, data: { id }, firstSeenAt: new Date(0), lastSeenAt: new Date(0) });
  return {
    list: (kind, options = {}) =>
      Promise.resolve(accounts.filter((id) => kind === 'account' && (options.afterId === undefined || id > options.afterId)).slice(0, options.limit).map(stored)),
    get: (_kind, id) => Promise.resolve(accounts.includes(id) ? stored(id) : undefined),
  };
}

function request(cursor: string | null, resources: ResourceReader = reader([])): SyncPageRequest {
  return { cursor, correlationId: 'run-1', observedAt: new Date('2026-05-02T00:00:00Z'), resources, signal: new AbortController().signal, log: silentLogger };
}

function options(client: Partial<IndxSyncOptions['client']>, overrides: Partial<IndxSyncOptions> = {}): IndxSyncOptions {
  return {
    client: client as IndxSyncOptions['client'],
    assets: new IndxAssets(),
    transactionsPageSize: 2,
    transactionsOverlapMs: 0,
    accountsPerPage: 2,
    ...overrides,
  };
}

describe('INDX transactions sync', () => {
  it('pages a first run through the whole history and starts the next run at the newest entry', async () => {
    const indx = new FakeIndx();
    indx.entries = [entry('t3', '2026-05-01T03:00:00.000Z'), entry('t2', '2026-05-01T02:00:00.000Z'), entry('t1', '2026-05-01T01:00:00.000Z')];
    const fetcher = transactionsFetcher(options(indx));
    const first = await fetcher.fetchPage(request(null));
    expect(first).toMatchObject({ hasMore: true });
    expect(first.events.map((event) => (event.type === 'transaction.posted' ? event.data.providerTransactionId : ''))).toEqual(['t3', 't2']);
    const second = await fetcher.fetchPage(request(first.cursor));
    expect(second.hasMore).toBe(false);
    expect(JSON.parse(second.cursor ?? 'null')).toEqual({ since: '2026-05-01T03:00:00.000Z' });
    expect(indx.queries).toEqual([{ limit: 2 }, { limit: 2, cursor: '2' }]);

    // The next run reads from the watermark only (and sees the newest entry again: same id).
    indx.entries.unshift(entry('t4', '2026-05-01T04:00:00.000Z'));
    const next = await fetcher.fetchPage(request(second.cursor));
    expect(indx.queries[2]).toEqual({ limit: 2, startDate: '2026-05-01T03:00:00.000Z' });
    expect(next.events).toHaveLength(2);
    expect(next.events[1]?.id).toBe(first.events[0]?.id);
  });

  it('keeps the watermark at an entry still pending, so it is booked when it completes', async () => {
    const indx = new FakeIndx();
    indx.entries = [entry('t3', '2026-05-01T03:00:00.000Z'), entry('t2', '2026-05-01T02:00:00.000Z', 'pending'), entry('t1', '2026-05-01T01:00:00.000Z')];
    const fetcher = transactionsFetcher(options(indx, { transactionsPageSize: 10, transactionsOverlapMs: 60_000 }));
    const run = await fetcher.fetchPage(request(null));
    expect(run.events).toHaveLength(2);
    // The pending entry's time, less the configured overlap.
    expect(JSON.parse(run.cursor ?? 'null')).toEqual({ since: '2026-05-01T01:59:00.000Z' });
    indx.entries[1] = entry('t2', '2026-05-01T02:00:00.000Z', 'completed');
    const later = await fetcher.fetchPage(request(run.cursor));
    expect(later.events.map((event) => (event.type === 'transaction.posted' ? event.data.providerTransactionId : ''))).toEqual(['t3', 't2']);
    expect(JSON.parse(later.cursor ?? 'null')).toEqual({ since: '2026-05-01T02:59:00.000Z' });
  });

  it('refuses a stored cursor it did not write', async () => {
    const fetcher = transactionsFetcher(options(new FakeIndx()));
    await expect(fetcher.fetchPage(request('not json'))).rejects.toThrow('the stored transactions cursor is not JSON');
    await expect(fetcher.fetchPage(request('{"page":1}'))).rejects.toThrow('unknown shape');
  });
});

describe('INDX accounts and balances sync', () => {
  it('lists the accounts, then reads deposit locations a batch of accounts per page', async () => {
    const seen: string[] = [];
    const client = {
      accounts: () => Promise.resolve(['acc_a', 'acc_b', 'acc_c'].map((id) => ({ value: { id, name: id, currency: 'USD', type: 'operating', status: 'active', createdAt: '2026-01-01T00:00:00Z' }, raw: { id } }))),
      depositLocations: (accountId: string) => {
        seen.push(accountId);
        return Promise.resolve([{ value: { id: `dl_${accountId}`, accountId, type: 'wire', currency: 'USD' }, raw: { id: `dl_${accountId}` } }]);
      },
    };
    const fetcher = accountsFetcher(options(client));
    const list = await fetcher.fetchPage(request(null));
    expect(list.records?.map((record) => record.id)).toEqual(['acc_a', 'acc_b', 'acc_c']);
    expect(list.hasMore).toBe(true);
    const resources = reader(['acc_a', 'acc_b', 'acc_c']);
    const batch1 = await fetcher.fetchPage(request(list.cursor, resources));
    expect(batch1.records).toEqual([
      { kind: 'deposit_location', id: 'dl_acc_a', parentId: 'acc_a', data: { id: 'dl_acc_a' } },
      { kind: 'deposit_location', id: 'dl_acc_b', parentId: 'acc_b', data: { id: 'dl_acc_b' } },
    ]);
    const batch2 = await fetcher.fetchPage(request(batch1.cursor, resources));
    expect(batch2).toMatchObject({ hasMore: false, cursor: null });
    expect(seen).toEqual(['acc_a', 'acc_b', 'acc_c']);

    const empty = accountsFetcher(options({ accounts: () => Promise.resolve([]) }));
    expect(await empty.fetchPage(request(null))).toEqual({ events: [], records: [], cursor: null, hasMore: false });
  });

  it('publishes a balance per kept account, a batch per page', async () => {
    const client = {
      balance: (accountId: string) =>
        Promise.resolve({ accountId, currency: 'EUR', currentBalance: '10.00', availableBalance: '10.00', pendingBalance: '0.00', asOf: '2026-05-02T00:00:00.000Z' }),
    };
    const fetcher = balancesFetcher(options(client));
    const resources = reader(['acc_a', 'acc_b', 'acc_c']);
    const first = await fetcher.fetchPage(request(null, resources));
    expect(first.events.map((event) => ('account' in event ? event.account.id : undefined))).toEqual(['acc_a', 'acc_b']);
    const second = await fetcher.fetchPage(request(first.cursor, resources));
    expect(second).toMatchObject({ hasMore: false, cursor: null });
    expect(second.events.map((event) => ('account' in event ? event.account.id : undefined))).toEqual(['acc_c']);
  });
});
