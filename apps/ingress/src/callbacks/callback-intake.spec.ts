import type { FinmeshEvent } from '@finmesh/schemas';
import { expectEventually } from '@finmesh/testing';
import { IngressError, IngressErrorCode } from '../http/ingress-error';
import { CallbackIntake, type IntakePublisher, type IntakeStore } from './callback-intake';
import type { CallbackRecord } from './callback-store';

type Status = 'pending' | 'published';

/** An in-memory stand-in for ingress_callback with the same unique key and lease rules. */
class FakeStore implements IntakeStore {
  readonly rows = new Map<string, { record: CallbackRecord; status: Status; leased: boolean }>();
  failing = false;

  private keyOf(source: string, key: string): string {
    return `${source}/${key}`;
  }

  insertPending(record: CallbackRecord): Promise<boolean> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    const key = this.keyOf(record.source, record.idempotencyKey);
    if (this.rows.has(key)) return Promise.resolve(false);
    this.rows.set(key, { record, status: 'pending', leased: true });
    return Promise.resolve(true);
  }

  claimPending(source: string, idempotencyKey: string): Promise<CallbackRecord | undefined> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    const row = this.rows.get(this.keyOf(source, idempotencyKey));
    if (row === undefined || row.status !== 'pending' || row.leased) return Promise.resolve(undefined);
    row.leased = true;
    return Promise.resolve(row.record);
  }

  statusOf(source: string, idempotencyKey: string): Promise<Status | undefined> {
    return Promise.resolve(this.rows.get(this.keyOf(source, idempotencyKey))?.status);
  }

  markPublished(id: string): Promise<undefined> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    for (const row of this.rows.values()) {
      if (row.record.id === id) {
        row.status = 'published';
        row.leased = false;
      }
    }
    return Promise.resolve(undefined);
  }

  discardPending(id: string): Promise<void> {
    for (const [key, row] of this.rows) if (row.record.id === id && row.status === 'pending') this.rows.delete(key);
    return Promise.resolve();
  }

  releaseLease(id: string): Promise<void> {
    for (const row of this.rows.values()) if (row.record.id === id) row.leased = false;
    return Promise.resolve();
  }
}

class FakePublisher implements IntakePublisher {
  readonly published: FinmeshEvent[] = [];
  behaviour: 'ack' | 'fail' | 'hang' = 'ack';
  private readonly hanging: Array<{ resolve: () => void; events: readonly FinmeshEvent[] }> = [];

  publish(events: readonly FinmeshEvent[]): Promise<void> {
    switch (this.behaviour) {
      case 'ack':
        this.published.push(...events);
        return Promise.resolve();
      case 'fail':
        return Promise.reject(new Error('broker unreachable'));
      case 'hang':
        return new Promise<void>((resolve) => this.hanging.push({ resolve, events }));
    }
  }

  /** The hanging sends are acknowledged after all. */
  acknowledgeLate(): void {
    for (const { resolve, events } of this.hanging.splice(0)) {
      this.published.push(...events);
      resolve();
    }
  }
}

function record(idempotencyKey: string, id = `00000000-0000-4000-8000-${idempotencyKey.padStart(12, '0')}`): CallbackRecord {
  return {
    id,
    source: 'acme',
    idempotencyKey,
    provider: 'indx',
    eventId: '',
    correlationId: 'corr-1',
    receivedAt: new Date('2026-01-01T00:00:00Z'),
    occurredAt: new Date('2026-01-01T00:00:00Z'),
    contentType: 'application/json',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"a":1}'),
    verification: { scheme: 'standard-webhooks' },
  };
}

async function refusal(work: Promise<unknown>): Promise<IngressError> {
  try {
    await work;
  } catch (error: unknown) {
    if (error instanceof IngressError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('CallbackIntake (the durability protocol, with fakes)', () => {
  let store: FakeStore;
  let publisher: FakePublisher;
  let intake: CallbackIntake;

  beforeEach(() => {
    store = new FakeStore();
    publisher = new FakePublisher();
    intake = new CallbackIntake(store, publisher, { publishTimeoutMs: 50, retryAfterSeconds: 7 });
  });

  it('stores, publishes, then marks published; a later copy is a duplicate and is not published', async () => {
    expect(await intake.accept(record('1'))).toBe('accepted');
    expect(await intake.accept(record('1', '00000000-0000-4000-8000-00000000ffff'))).toBe('duplicate');
    expect(publisher.published).toHaveLength(1);
    expect([...store.rows.values()].map((row) => row.status)).toEqual(['published']);
  });

  it('publishes concurrent copies in one process once, and answers all of them', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => intake.accept(record('2'))));
    expect(outcomes.filter((outcome) => outcome === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(9);
    expect(publisher.published).toHaveLength(1);
  });

  it('answers 503 with Retry-After when PostgreSQL fails, publishing nothing', async () => {
    store.failing = true;
    const error = await refusal(intake.accept(record('3')));
    expect(error).toMatchObject({ code: IngressErrorCode.Unavailable, reason: 'postgres', retryAfterSeconds: 7 });
    expect(publisher.published).toEqual([]);
  });

  it('keeps a failed publish pending (not accepted) and publishes it once on the retry', async () => {
    publisher.behaviour = 'fail';
    expect(await refusal(intake.accept(record('4')))).toMatchObject({ code: IngressErrorCode.Unavailable, reason: 'kafka' });
    expect([...store.rows.values()].map((row) => [row.status, row.leased])).toEqual([['pending', false]]);
    publisher.behaviour = 'ack';
    expect(await intake.accept(record('4', '00000000-0000-4000-8000-0000000000aa'))).toBe('accepted');
    expect(publisher.published.map((event) => event.type === 'callback.received' && event.data.callbackId)).toEqual([
      '00000000-0000-4000-8000-000000000004',
    ]);
  });

  it('answers 503 when Kafka does not acknowledge in time, and marks the row once the late ack comes', async () => {
    publisher.behaviour = 'hang';
    expect(await refusal(intake.accept(record('5')))).toMatchObject({ reason: 'kafka' });
    expect([...store.rows.values()][0]?.status).toBe('pending');
    publisher.acknowledgeLate();
    await expectEventually(() => expect([...store.rows.values()][0]?.status).toBe('published'), { intervalMs: 1 });
    publisher.behaviour = 'ack';
    expect(await intake.accept(record('5'))).toBe('duplicate');
    expect(publisher.published).toHaveLength(1);
  });

  it('answers 503 while another attempt holds the lease of a pending row', async () => {
    await store.insertPending(record('6'));
    expect(await refusal(intake.accept(record('6')))).toMatchObject({ reason: 'in_flight' });
  });

  it('bounds the publish by the caller’s deadline, not only by the publish timeout', async () => {
    const patient = new CallbackIntake(store, publisher, { publishTimeoutMs: 600_000, retryAfterSeconds: 7 });
    publisher.behaviour = 'hang';
    // Without the deadline this would wait ten minutes (and the test would time out).
    expect(await refusal(patient.accept(record('7'), Date.now() + 10))).toMatchObject({ reason: 'kafka' });
  });
});
