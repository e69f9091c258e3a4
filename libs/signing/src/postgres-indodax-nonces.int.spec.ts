// Integration test, real parts: the PostgreSQL server of this run (a database private to this suite).
import { createDataSource, runMigrations } from '@finmesh/persistence';
import { createTestDatabase } from '@finmesh/testing';
import type { DataSource } from 'typeorm';
import { SIGNING_MIGRATIONS } from './migrations';
import { PostgresIndodaxNonceSource, PostgresIndodaxNonceTracker } from './postgres-indodax-nonces';

function expectStrictlyIncreasing(values: readonly bigint[]): void {
  for (let index = 1; index < values.length; index += 1) {
    expect((values[index] ?? 0n) > (values[index - 1] ?? 0n)).toBe(true);
  }
}

describe('PostgreSQL Indodax nonces against the real PostgreSQL', () => {
  let url: string;
  const open: DataSource[] = [];

  async function instance(name: string): Promise<DataSource> {
    const dataSource = createDataSource({
      url,
      applicationName: name,
      migrations: SIGNING_MIGRATIONS,
      migrationsTableName: 'signing_test_migrations',
      poolSize: 8,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    open.push(dataSource);
    return dataSource;
  }

  beforeAll(async () => {
    url = await createTestDatabase('signing-indodax-nonces');
  });

  afterAll(async () => {
    await Promise.all(open.map((dataSource) => dataSource.destroy()));
  });

  it('issues strictly increasing nonces across two instances, also when the clock stands still', async () => {
    const frozenClock = () => 1_700_000_000_000;
    const first = new PostgresIndodaxNonceSource(await instance('connector-a'), frozenClock);
    const second = new PostgresIndodaxNonceSource(await instance('connector-b'), frozenClock);
    const issued: bigint[] = [];
    for (let round = 0; round < 10; round += 1) {
      issued.push(await first.next('key-alternating'));
      issued.push(await second.next('key-alternating'));
    }
    expect(issued[0]).toBe(1_700_000_000_000n);
    expectStrictlyIncreasing(issued);
    expect(issued.at(-1)).toBe(1_700_000_000_019n);
  });

  it('never repeats a nonce under concurrent calls from two instances', async () => {
    const sources = [
      new PostgresIndodaxNonceSource(await instance('connector-c')),
      new PostgresIndodaxNonceSource(await instance('connector-d')),
    ];
    const perSource = await Promise.all(
      sources.map(async (source) => {
        // Each source runs 25 concurrent requests; every one waits on the same counter row.
        const concurrent = await Promise.all(Array.from({ length: 25 }, () => source.next('key-concurrent')));
        // And what one caller draws in sequence is increasing.
        const sequential = [await source.next('key-concurrent'), await source.next('key-concurrent')];
        expectStrictlyIncreasing(sequential);
        return [...concurrent, ...sequential];
      }),
    );
    const all = perSource.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(54);
  });

  it('continues above every earlier nonce after a restart, even when the clock went back', async () => {
    const beforeRestart = await instance('connector-before-restart');
    const source = new PostgresIndodaxNonceSource(beforeRestart, () => 1_800_000_000_000);
    const lastBefore = [await source.next('key-restart'), await source.next('key-restart')].at(-1) ?? 0n;
    await beforeRestart.destroy();
    open.splice(open.indexOf(beforeRestart), 1);

    const afterRestart = new PostgresIndodaxNonceSource(await instance('connector-after-restart'), () => 1_799_999_000_000);
    const firstAfter = await afterRestart.next('key-restart');
    expect(firstAfter).toBe(lastBefore + 1n);
    const later = new PostgresIndodaxNonceSource(await instance('connector-clock-ahead'), () => 1_900_000_000_000);
    expect(await later.next('key-restart')).toBe(1_900_000_000_000n);
  });

  it('keeps separate counters per API key', async () => {
    const source = new PostgresIndodaxNonceSource(await instance('connector-keys'), () => 1_000);
    expect(await source.next('key-x')).toBe(1_000n);
    expect(await source.next('key-y')).toBe(1_000n);
    expect(await source.next('key-x')).toBe(1_001n);
  });

  it('accepts a received nonce only when it is greater than the last accepted, exactly once under concurrency', async () => {
    const first = new PostgresIndodaxNonceTracker(await instance('sandbox-a'));
    const second = new PostgresIndodaxNonceTracker(await instance('sandbox-b'));
    expect(await first.advance('key-verify', 100n)).toBe('accepted');
    expect(await second.advance('key-verify', 100n)).toBe('not-increasing');
    expect(await second.advance('key-verify', 99n)).toBe('not-increasing');
    expect(await second.advance('key-verify', 101n)).toBe('accepted');

    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, attempt) => (attempt % 2 === 0 ? first : second).advance('key-verify', 500n)),
    );
    expect(outcomes.filter((outcome) => outcome === 'accepted')).toHaveLength(1);
  });

  it('keeps issued and accepted counters apart when a connector and a sandbox share a database and key', async () => {
    const shared = await instance('shared-database');
    const issuer = new PostgresIndodaxNonceSource(shared, () => 5_000);
    const tracker = new PostgresIndodaxNonceTracker(shared);
    const nonce = await issuer.next('key-shared');
    expect(await tracker.advance('key-shared', nonce)).toBe('accepted');
    expect(await issuer.next('key-shared')).toBe(nonce + 1n);
  });
});
