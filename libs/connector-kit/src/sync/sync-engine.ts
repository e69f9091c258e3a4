import { randomUUID } from 'node:crypto';
import type { FinmeshEvent } from '@finmesh/schemas';
import type { ResourceReader, ResourceRecord, SyncResource } from '../contract/capabilities';
import type { Connector, SyncResourceBinding } from '../contract/connector';
import { describeError, silentLogger, type ConnectorLogger } from '../logging';
import { SyncLeaseLostError, type SqlRunner, type SyncLease, type SyncLeaseProvider } from './sync-lease';
import { SyncRunFencedError, SyncStateStore, type SyncStateRow } from './sync-state-store';

/** Where a page's events go; resolves once Kafka has acknowledged all of them. */
export interface EventSink {
  publish(events: readonly FinmeshEvent[]): Promise<void>;
}

/** Keeps a page's resource records, on the lease's session inside the page transaction. */
export interface ResourceWriter {
  upsert(sql: SqlRunner, records: readonly ResourceRecord[], seenAt: Date): Promise<void>;
}

export interface SyncObserver {
  pageSynced?(info: { resource: SyncResource; events: number; records: number }): void;
  runFinished?(info: { resource: SyncResource; outcome: SyncAttemptResult['outcome']; pages: number; events: number }): void;
}

export interface SyncEngineOptions {
  connector: Connector;
  leases: SyncLeaseProvider;
  /** The lease holder's name in the attempts table (pod name and a random suffix). */
  holder: string;
  resourceReader: ResourceReader;
  resourceWriter: ResourceWriter;
  publisher: EventSink;
  /** Interval between the end of one run of a resource and the start of the next. */
  intervalsMs: Readonly<Record<SyncResource, number>>;
  /** Each interval is stretched or shrunk by up to this fraction, so replicas and resources drift apart. */
  jitterRatio?: number;
  /** How long a replica without the lease waits before trying again. */
  leaseRetryMs?: number;
  /** Backoff after a failed page: doubles from initialMs up to maxMs. */
  failureBackoff?: { initialMs: number; maxMs: number };
  log?: ConnectorLogger;
  observer?: SyncObserver;
  now?: () => Date;
  random?: () => number;
}

export interface SyncAttemptResult {
  resource: SyncResource;
  outcome: 'completed' | 'failed' | 'interrupted';
  resumed: boolean;
  pages: number;
  events: number;
  error?: string;
}

export interface SyncCycleResult {
  /** False when another replica holds the lease: nothing ran here. */
  acquired: boolean;
  attempts: SyncAttemptResult[];
  /** When the earliest resource is due again. */
  nextDueAt?: Date;
}

/**
 * Runs the connector's declared fetchers: every resource on its own schedule (with jitter),
 * page by page with an opaque cursor persisted in PostgreSQL. A page's events are published
 * and acknowledged before the cursor moves past it, so a crash or a Kafka outage repeats at most
 * the page it interrupted (same deterministic ids) and skips nothing; an interrupted run resumes
 * at its cursor. Only the holder of the connector's sync lease runs anything, so replicas never
 * sync at once; in one process, cycles run one after another.
 */
export class SyncEngine {
  private readonly store: SyncStateStore;
  private readonly log: ConnectorLogger;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly jitterRatio: number;
  private readonly leaseRetryMs: number;
  private readonly failureBackoff: { initialMs: number; maxMs: number };
  private cycleChain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private stopping = new AbortController();
  private wake: (() => void) | undefined;

  constructor(private readonly options: SyncEngineOptions) {
    this.store = new SyncStateStore(options.connector.name);
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.jitterRatio = options.jitterRatio ?? 0.1;
    this.leaseRetryMs = options.leaseRetryMs ?? 5_000;
    this.failureBackoff = options.failureBackoff ?? { initialMs: 1_000, maxMs: 60_000 };
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Starts the background schedule. */
  start(): void {
    if (this.loop) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.loop = this.runLoop();
  }

  /** Stops the schedule; a page in flight is abandoned (its run resumes at its cursor later). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the sync engine is stopping'));
    this.wake?.();
    await this.loop;
    await this.cycleChain.catch(() => undefined);
    this.loop = undefined;
  }

  /**
   * Runs the given resources (default: all declared) now, whatever their schedule, plus any other
   * resource that is due. Waits for a cycle in progress in this process; returns acquired: false
   * when another replica holds the lease.
   */
  syncNow(resources?: readonly SyncResource[]): Promise<SyncCycleResult> {
    const forced = new Set(resources ?? this.options.connector.syncResources().map((binding) => binding.resource));
    return this.serialized(() => this.cycle(forced));
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.cycleChain.then(work, work);
    this.cycleChain = result.catch(() => undefined);
    return result;
  }

  private async runLoop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let delayMs = this.leaseRetryMs;
      try {
        const result = await this.serialized(() => this.cycle(new Set()));
        if (result.acquired) {
          delayMs = result.nextDueAt === undefined ? this.leaseRetryMs : Math.max(0, result.nextDueAt.getTime() - this.now().getTime());
        }
      } catch (error: unknown) {
        this.log.error('sync cycle failed', { error: describeError(error) });
      }
      // Without the lease, wait a jittered while: replicas should not all knock at once.
      await this.sleep(Math.max(10, this.jittered(delayMs)));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async cycle(forced: ReadonlySet<SyncResource>): Promise<SyncCycleResult> {
    const lease = await this.options.leases.tryAcquire();
    if (!lease) return { acquired: false, attempts: [] };
    const attempts: SyncAttemptResult[] = [];
    try {
      const closed = await this.store.closeInterruptedAttempts(lease, this.now());
      if (closed > 0) this.log.warn('sync attempts of a replica that stopped without finishing were marked interrupted', { attempts: closed });
      let states = await this.store.load(lease);
      for (const binding of this.options.connector.syncResources()) {
        if (this.stopping.signal.aborted) break;
        const state = states.get(binding.resource);
        const due = forced.has(binding.resource) || this.dueAt(binding.resource, state) <= this.now().getTime();
        if (!due) continue;
        attempts.push(await this.runResource(lease, binding, state));
      }
      states = await this.store.load(lease);
      return { acquired: true, attempts, ...this.nextDue(states) };
    } finally {
      await lease.release();
    }
  }

  private nextDue(states: ReadonlyMap<string, SyncStateRow>): { nextDueAt?: Date } {
    const times = this.options.connector.syncResources().map(({ resource }) => this.dueAt(resource, states.get(resource)));
    return times.length === 0 ? {} : { nextDueAt: new Date(Math.min(...times)) };
  }

  /**
   * When a resource is next due (epoch ms). A run in progress (interrupted or failed) waits for
   * its retry time; otherwise a run is due at its scheduled time, or earlier if the configured
   * interval since the last success has passed (a shortened interval applies at once).
   */
  private dueAt(resource: SyncResource, state: SyncStateRow | undefined): number {
    if (state === undefined) return 0;
    const scheduled = state.nextRunAt?.getTime() ?? 0;
    if (state.runId !== null || state.lastSuccessAt === null) return scheduled;
    return Math.min(scheduled, state.lastSuccessAt.getTime() + this.options.intervalsMs[resource]);
  }

  private async runResource(lease: SyncLease, binding: SyncResourceBinding, state: SyncStateRow | undefined): Promise<SyncAttemptResult> {
    const { resource, fetcher } = binding;
    const connector = this.options.connector.name;
    const resumed = state?.runId !== undefined && state.runId !== null;
    const runId = resumed && state?.runId ? state.runId : randomUUID();
    let cursor = state?.cursor ?? null;
    const attemptId = randomUUID();
    const started = this.now();
    if (!resumed) await this.store.beginRun(lease, resource, runId, started);
    await this.store.startAttempt(lease, { id: attemptId, resource, runId, holder: lease.holder, resumed, now: started });
    const correlationId = `sync-${connector}-${resource}-${runId}`;
    const log = this.log;
    if (resumed) {
      log.info('resuming an interrupted sync run at its persisted cursor', { resource, runId, pagesDone: state?.pagesInRun ?? 0, cursor });
    } else {
      log.info('sync run started', { resource, runId });
    }

    let pages = 0;
    let events = 0;
    const finish = async (outcome: SyncAttemptResult['outcome'], error?: string): Promise<SyncAttemptResult> => {
      await this.store.finishAttempt(lease, { id: attemptId, outcome, pages, events, now: this.now(), ...(error === undefined ? {} : { error }) });
      this.options.observer?.runFinished?.({ resource, outcome, pages, events });
      return { resource, outcome, resumed, pages, events, ...(error === undefined ? {} : { error }) };
    };

    try {
      for (;;) {
        if (this.stopping.signal.aborted) {
          log.info('sync run interrupted by shutdown; it resumes at its cursor', { resource, runId, pages });
          return await finish('interrupted');
        }
        const observedAt = this.now();
        const page = await fetcher.fetchPage({
          cursor,
          correlationId,
          observedAt,
          resources: this.options.resourceReader,
          signal: this.stopping.signal,
          log,
        });
        for (const event of page.events) {
          if (event.provider !== this.options.connector.provider) {
            throw new Error(`the ${resource} fetcher produced a ${event.provider} event; connector ${connector} publishes only ${this.options.connector.provider}`);
          }
        }
        // Kafka first: the cursor may move past a page only once its events are acknowledged.
        await this.options.publisher.publish(page.events);
        const now = this.now();
        await lease.transaction(async (sql) => {
          await this.options.resourceWriter.upsert(sql, page.records ?? [], now);
          await this.store.savePage(sql, {
            resource,
            runId,
            cursor: page.cursor,
            hasMore: page.hasMore,
            now,
            nextRunAt: new Date(now.getTime() + this.jittered(this.options.intervalsMs[resource])),
          });
          await this.store.progressAttempt(sql, attemptId, pages + 1, events + page.events.length);
        });
        cursor = page.cursor;
        pages += 1;
        events += page.events.length;
        this.options.observer?.pageSynced?.({ resource, events: page.events.length, records: page.records?.length ?? 0 });
        if (!page.hasMore) {
          log.info('sync run completed', { resource, runId, pages, events });
          return await finish('completed');
        }
      }
    } catch (error: unknown) {
      if (this.stopping.signal.aborted) {
        log.info('sync run interrupted by shutdown; it resumes at its cursor', { resource, runId, pages });
        return finish('interrupted').catch(() => ({ resource, outcome: 'interrupted' as const, resumed, pages, events }));
      }
      if (error instanceof SyncLeaseLostError || error instanceof SyncRunFencedError) throw error;
      const message = describeError(error);
      const failures = (state?.consecutiveFailures ?? 0) + 1;
      const delay = Math.min(this.failureBackoff.maxMs, this.failureBackoff.initialMs * 2 ** Math.min(failures - 1, 20));
      const now = this.now();
      await this.store.recordFailure(lease, resource, message, now, new Date(now.getTime() + this.jittered(delay)));
      log.warn('sync page failed; the run keeps its cursor and is retried', { resource, runId, pages, error: message, retryInMs: delay });
      return finish('failed', message);
    }
  }

  private jittered(ms: number): number {
    return Math.round(ms * (1 + (this.random() * 2 - 1) * this.jitterRatio));
  }
}
