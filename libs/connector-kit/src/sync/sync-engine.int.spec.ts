// Integration test, real parts: the PostgreSQL server of this run (sync state, attempts, resources
// and the advisory-lock lease). The provider is a fake fetcher and Kafka an in-memory sink.
import { createTestDatabase, expectEventually } from '@finmesh/testing';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { ResourceFetcher, SyncPageRequest } from '../contract/capabilities';
import { defineConnector, type Connector } from '../contract/connector';
import { UpstreamError } from '../errors/upstream-error';
import { ResourceStore } from '../resources/resource-store';
import { bookedCredit, MemorySink, openKitDatabase } from '../testing/kit-test-support';
import { SyncEngine, type SyncEngineOptions } from './sync-engine';
import { PostgresSyncLeases, SyncLeaseLostError } from './sync-lease';

const ITEMS = 23;
const PAGE = 5;

/** A provider with ITEMS transactions, served PAGE at a time; the cursor is the offset. */
class FakeTransactions implements ResourceFetcher {
  readonly requests: Array<string | null> = [];
  failures: Array<{ atCursor: string | null; error: Error }> = [];
  active = 0;
  maxActive = 0;
  /** Holds each page until released, so tests can look at a run in the middle. */
  gate: Promise<void> | undefined;

  async fetchPage(request: SyncPageRequest): Promise<{ events: ReturnType<typeof bookedCredit>[]; cursor: string | null; hasMore: boolean; records: Array<{ kind: string; id: string; data: { n: string } }> }> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.requests.push(request.cursor);
      if (this.gate) await this.gate;
      const failure = this.failures.findIndex((entry) => entry.atCursor === request.cursor);
      if (failure >= 0) {
        const [entry] = this.failures.splice(failure, 1);
        if (entry) throw entry.error;
      }
      const offset = request.cursor === null || request.cursor.startsWith('done') ? 0 : Number(request.cursor);
      const end = Math.min(ITEMS, offset + PAGE);
      const events = [];
      for (let n = offset; n < end; n += 1) events.push(bookedCredit('acc-1', `tx-${n}`, String(100 + n), request.correlationId));
      const hasMore = end < ITEMS;
      return { events, records: [{ kind: 'page', id: String(offset), data: { n: String(end - offset) } }], cursor: hasMore ? String(end) : `done-${ITEMS}`, hasMore };
    } finally {
      this.active -= 1;
    }
  }
}

describe('the sync engine with PostgreSQL', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let pool: Pool;
  const engines: SyncEngine[] = [];

  const connectorWith = (name: string, fetcher: ResourceFetcher): Connector =>
    defineConnector({ name, provider: 'finx', capabilities: ['fetch_transactions'], handlers: { fetch_transactions: fetcher } });

  const engine = (connector: Connector, sink: MemorySink, holder: string, overrides: Partial<SyncEngineOptions> = {}): SyncEngine => {
    const resources = new ResourceStore(dataSource, connector.name);
    const created = new SyncEngine({
      connector,
      leases: new PostgresSyncLeases({ databaseUrl, connector: connector.name, holder, applicationName: `kit-test-${holder}` }),
      holder,
      resourceReader: resources,
      resourceWriter: resources,
      publisher: sink,
      intervalsMs: { accounts: 60_000, external_accounts: 60_000, balances: 60_000, transactions: 60_000 },
      failureBackoff: { initialMs: 10, maxMs: 50 },
      leaseRetryMs: 20,
      ...overrides,
    });
    engines.push(created);
    return created;
  };

  const state = async (connector: string): Promise<{ cursor: string | null; run_id: string | null; pages_in_run: number; last_error: string | null }> => {
    const result = await pool.query<{ cursor: string | null; run_id: string | null; pages_in_run: number; last_error: string | null }>(
      `SELECT cursor, run_id, pages_in_run, last_error FROM connector_sync_state WHERE connector = $1 AND resource = 'transactions'`,
      [connector],
    );
    const row = result.rows[0];
    if (!row) throw new Error('no state row');
    return row;
  };

  const expectedIds = (): string[] => Array.from({ length: ITEMS }, (_, n) => bookedCredit('acc-1', `tx-${n}`, String(100 + n)).id);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('kit-sync-engine');
    dataSource = await openKitDatabase(databaseUrl);
    pool = new Pool({ connectionString: databaseUrl, max: 3 });
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
  });

  afterAll(async () => {
    await pool.end();
    await dataSource.destroy();
  });

  it('syncs every page, keeps the resources, and ends the run with the next run’s cursor', async () => {
    const fetcher = new FakeTransactions();
    const sink = new MemorySink();
    const result = await engine(connectorWith('full', fetcher), sink, 'a').syncNow();
    expect(result).toMatchObject({ acquired: true, attempts: [{ resource: 'transactions', outcome: 'completed', resumed: false, pages: 5, events: ITEMS }] });
    expect(sink.ids()).toEqual(expectedIds());
    expect(fetcher.requests).toEqual([null, '5', '10', '15', '20']);
    expect(await state('full')).toMatchObject({ cursor: 'done-23', run_id: null, pages_in_run: 5, last_error: null });
    const kept = await new ResourceStore(dataSource, 'full').list('page');
    expect(kept.map((resource) => resource.id)).toEqual(['0', '10', '15', '20', '5']);

    // The next run starts from the cursor the last one left.
    await engine(connectorWith('full', fetcher), sink, 'a').syncNow();
    expect(fetcher.requests.slice(5)).toEqual(['done-23', '5', '10', '15', '20']);
  });

  it('keeps the cursor of a failed page and resumes the same run exactly there', async () => {
    const fetcher = new FakeTransactions();
    fetcher.failures = [{ atCursor: '15', error: new UpstreamError('server_error', 'HTTP 503', { provider: 'finx', endpoint: 'tx' }) }];
    const sink = new MemorySink();
    const subject = engine(connectorWith('failing', fetcher), sink, 'a');
    const first = await subject.syncNow();
    expect(first.attempts).toEqual([expect.objectContaining({ outcome: 'failed', pages: 3, events: 15, error: 'HTTP 503' })]);
    const stopped = await state('failing');
    expect(stopped).toMatchObject({ cursor: '15', pages_in_run: 3, last_error: 'HTTP 503' });
    expect(stopped.run_id).not.toBeNull();

    const second = await subject.syncNow();
    expect(second.attempts).toEqual([expect.objectContaining({ outcome: 'completed', resumed: true, pages: 2, events: 8 })]);
    expect(fetcher.requests).toEqual([null, '5', '10', '15', '15', '20']);
    // Nothing skipped, nothing twice.
    expect(sink.ids()).toEqual(expectedIds());
    expect((await state('failing')).run_id).toBeNull();
  });

  it('pauses while Kafka refuses the events and resumes from the cursor when it is back', async () => {
    const fetcher = new FakeTransactions();
    const sink = new MemorySink();
    const subject = engine(connectorWith('kafka-down', fetcher), sink, 'a');
    // Kafka goes down after the second page was acknowledged.
    let published = 0;
    const flaky = {
      publish: async (events: Parameters<MemorySink['publish']>[0]) => {
        published += 1;
        if (published >= 3 && published <= 4) throw new Error('KafkaJSNumberOfRetriesExceeded: broker unreachable');
        await sink.publish(events);
      },
    };
    const flakyEngine = engine(connectorWith('kafka-down', fetcher), sink, 'b', { publisher: flaky });
    expect((await flakyEngine.syncNow()).attempts[0]).toMatchObject({ outcome: 'failed', pages: 2 });
    expect((await flakyEngine.syncNow()).attempts[0]).toMatchObject({ outcome: 'failed', pages: 0, resumed: true });
    expect(await state('kafka-down')).toMatchObject({ cursor: '10', pages_in_run: 2 });
    expect((await subject.syncNow()).attempts[0]).toMatchObject({ outcome: 'completed', resumed: true, pages: 3 });
    expect(sink.ids()).toEqual(expectedIds());
  });

  it('lets only one of two replicas sync at a time, on demand and on schedule', async () => {
    const fetcher = new FakeTransactions();
    let release: () => void = () => undefined;
    fetcher.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sinkA = new MemorySink();
    const sinkB = new MemorySink();
    const a = engine(connectorWith('replicas', fetcher), sinkA, 'replica-a');
    const b = engine(connectorWith('replicas', fetcher), sinkB, 'replica-b');
    const runningA = a.syncNow();
    await expectEventually(() => expect(fetcher.active).toBe(1));
    // B cannot sync while A holds the lease.
    expect(await b.syncNow()).toEqual({ acquired: false, attempts: [] });
    release();
    fetcher.gate = undefined;
    await runningA;

    // Both replicas on a short schedule (of a fresh connector): turns alternate, never overlapping.
    const fast = { intervalsMs: { accounts: 30, external_accounts: 30, balances: 30, transactions: 30 }, jitterRatio: 0.5 };
    const scheduledA = engine(connectorWith('replicas-scheduled', fetcher), sinkA, 'replica-a', fast);
    const scheduledB = engine(connectorWith('replicas-scheduled', fetcher), sinkB, 'replica-b', fast);
    scheduledA.start();
    scheduledB.start();
    await expectEventually(
      async () => {
        const holders = await pool.query<{ holder: string }>(`SELECT DISTINCT holder FROM connector_sync_attempts WHERE connector = 'replicas-scheduled'`);
        expect(holders.rows.map((row) => row.holder).sort()).toEqual(['replica-a', 'replica-b']);
        const count = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM connector_sync_attempts WHERE connector = 'replicas-scheduled'`);
        expect(count.rows[0]?.n).toBeGreaterThanOrEqual(6);
      },
      { timeoutMs: 15_000 },
    );
    await scheduledA.stop();
    await scheduledB.stop();
    expect(fetcher.maxActive).toBe(1);
    const overlaps = await pool.query(
      `SELECT 1 FROM connector_sync_attempts x JOIN connector_sync_attempts y ON x.id < y.id
        WHERE x.connector LIKE 'replicas%' AND y.connector = x.connector
          AND tstzrange(x.started_at, coalesce(x.finished_at, 'infinity')) && tstzrange(y.started_at, coalesce(y.finished_at, 'infinity'))`,
    );
    expect(overlaps.rows).toEqual([]);
  });

  it('gives the lease up when its session dies, and another replica resumes the run at its cursor', async () => {
    const fetcher = new FakeTransactions();
    const sinkA = new MemorySink();
    const sinkB = new MemorySink();
    let release: () => void = () => undefined;
    const a = engine(connectorWith('takeover', fetcher), sinkA, 'replica-a');
    // A gets two pages done, then stalls on the third while its database session is killed.
    let stalled = false;
    const original = fetcher.fetchPage.bind(fetcher);
    fetcher.fetchPage = async (request) => {
      if (request.cursor === '10' && !stalled) {
        stalled = true;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      return original(request);
    };
    const runningA = a.syncNow().catch((error: unknown) => error);
    await expectEventually(() => expect(stalled).toBe(true));
    expect((await state('takeover')).pages_in_run).toBe(2);
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kit-test-replica-a'`);
    release();
    expect(await runningA).toBeInstanceOf(SyncLeaseLostError);
    expect(sinkA.ids()).toEqual(expectedIds().slice(0, 15));

    const b = engine(connectorWith('takeover', fetcher), sinkB, 'replica-b');
    const result = await b.syncNow();
    expect(result.attempts[0]).toMatchObject({ outcome: 'completed', resumed: true });
    // B repeats at most the page A could not confirm (same ids), and skips nothing.
    expect(fetcher.requests.filter((cursor) => cursor === '10')).toHaveLength(2);
    expect(new Set([...sinkA.ids(), ...sinkB.ids()])).toEqual(new Set(expectedIds()));
    expect(sinkB.ids()).toEqual(expectedIds().slice(10));
    const attempts = await pool.query<{ holder: string; outcome: string }>(`SELECT holder, outcome FROM connector_sync_attempts WHERE connector = 'takeover' ORDER BY started_at`);
    expect(attempts.rows).toEqual([
      { holder: 'replica-a', outcome: 'interrupted' },
      { holder: 'replica-b', outcome: 'completed' },
    ]);
  });

  it('runs a resource again when its interval has passed', async () => {
    const fetcher = new FakeTransactions();
    const sink = new MemorySink();
    const subject = engine(connectorWith('scheduled', fetcher), sink, 'a', {
      intervalsMs: { accounts: 50, external_accounts: 50, balances: 50, transactions: 50 },
    });
    subject.start();
    await expectEventually(() => expect(fetcher.requests.filter((cursor) => cursor !== null && cursor.startsWith('done')).length).toBeGreaterThanOrEqual(2));
    await subject.stop();
    expect(subject.running).toBe(false);
  });
});
