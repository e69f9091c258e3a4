import { createDataSource, runMigrations } from '@finmesh/persistence';
import { accountRef, createEvent, type FinmeshEvent } from '@finmesh/schemas';
import { CONNECTOR_KIT_ENTITIES } from '../persistence/entities';
import { CONNECTOR_KIT_MIGRATIONS } from '../persistence/migrations';
import type { DataSource } from 'typeorm';
import type { EventSink } from '../sync/sync-engine';

/** A migrated connector-kit schema in the given database. */
export async function openKitDatabase(url: string): Promise<DataSource> {
  const dataSource = createDataSource({
    url,
    applicationName: 'connector-kit-test',
    entities: CONNECTOR_KIT_ENTITIES,
    migrations: CONNECTOR_KIT_MIGRATIONS,
    migrationsTableName: 'connector_kit_test_migrations',
    poolSize: 3,
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/** Collects published events; `failWith` makes publishing fail the way an unreachable Kafka does. */
export class MemorySink implements EventSink {
  readonly events: FinmeshEvent[] = [];
  failWith: Error | undefined;

  publish(events: readonly FinmeshEvent[]): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.events.push(...events);
    return Promise.resolve();
  }

  ids(): string[] {
    return this.events.map((event) => event.id);
  }
}

/** A booked credit of `amount` cents on a Fin X account: a stand-in provider fact. */
export function bookedCredit(account: string, transactionId: string, amount: string, correlationId = 'test'): FinmeshEvent {
  return createEvent('transaction.posted', {
    provider: 'finx',
    source: 'poll',
    occurredAt: '2026-01-01T00:00:00Z',
    observedAt: '2026-01-01T00:00:01Z',
    account: accountRef('finx', account),
    correlationId,
    data: {
      providerTransactionId: transactionId,
      direction: 'credit',
      amount: { amount, asset: 'USD/2' },
      kind: 'deposit',
      status: 'booked',
      bookedAt: '2026-01-01T00:00:00Z',
    },
  });
}
