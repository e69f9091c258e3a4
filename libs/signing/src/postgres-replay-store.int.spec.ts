// Integration test, real parts: the PostgreSQL server of this run (a database private to this suite).
import { createDataSource, runMigrations } from '@finmesh/persistence';
import { createTestDatabase } from '@finmesh/testing';
import type { DataSource } from 'typeorm';
import { signIndxRequest, verifyIndxRequest } from './indx';
import { REPLAY_NONCE_TABLE, SIGNING_MIGRATIONS } from './migrations';
import { PostgresReplayStore } from './postgres-replay-store';
import { VerificationFailureReason } from './verification';

const LATER = new Date('2030-01-01T00:00:00Z');

describe('PostgresReplayStore against the real PostgreSQL', () => {
  let url: string;
  let dataSource: DataSource;
  let otherInstance: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase('signing-replay-store');
    dataSource = createDataSource({
      url,
      applicationName: 'signing-test',
      migrations: SIGNING_MIGRATIONS,
      migrationsTableName: 'signing_test_migrations',
      poolSize: 10,
    });
    await dataSource.initialize();
    expect(await runMigrations(dataSource)).toEqual(['CreateSigningReplayNonce1790000000000', 'CreateSigningNonceCounter1790000000001']);
    otherInstance = createDataSource({
      url,
      applicationName: 'signing-test-replica',
      migrationsTableName: 'signing_test_migrations',
      poolSize: 10,
    });
    await otherInstance.initialize();
  });

  afterAll(async () => {
    await otherInstance.destroy();
    await dataSource.destroy();
  });

  it('reports the first use of a nonce and detects its replay, per scope', async () => {
    const store = new PostgresReplayStore(dataSource);
    expect(await store.seen('indx:key-1', 'nonce-a', LATER)).toBe('first-time');
    expect(await store.seen('indx:key-1', 'nonce-a', LATER)).toBe('replay');
    expect(await store.seen('indx:key-2', 'nonce-a', LATER)).toBe('first-time');
    // Another replica sees what this one recorded.
    expect(await new PostgresReplayStore(otherInstance).seen('indx:key-1', 'nonce-a', LATER)).toBe('replay');
  });

  it('lets exactly one of many concurrent inserts of the same nonce win, across two instances', async () => {
    const here = new PostgresReplayStore(dataSource);
    const there = new PostgresReplayStore(otherInstance);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, attempt) => (attempt % 2 === 0 ? here : there).seen('indx:key-race', 'same-nonce', LATER)),
    );
    expect(outcomes.filter((outcome) => outcome === 'first-time')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'replay')).toHaveLength(39);
  });

  it('purges expired nonces only', async () => {
    const store = new PostgresReplayStore(dataSource);
    await store.seen('purge', 'expired', new Date('2025-01-01T00:00:00Z'));
    await store.seen('purge', 'current', new Date('2025-01-01T00:10:00Z'));
    expect(await store.purgeExpired(new Date('2025-01-01T00:05:00Z'))).toBe(1);
    const remaining: Array<{ nonce: string }> = await dataSource.query(
      `SELECT nonce FROM ${REPLAY_NONCE_TABLE} WHERE scope = 'purge' ORDER BY nonce`,
    );
    expect(remaining.map((row) => row.nonce)).toEqual(['current']);
    expect(await store.seen('purge', 'expired', LATER)).toBe('first-time');
  });

  it('backs INDX verification: a replayed request is rejected by a second replica', async () => {
    const now = new Date();
    const headers = signIndxRequest({ method: 'GET', pathWithQuery: '/v1/accounts' }, { apiKey: 'k', apiSecret: 's3cret' }, { now });
    const request = { method: 'GET', pathWithQuery: '/v1/accounts', headers };
    const verifier = (db: DataSource) => ({
      secretForKey: (apiKey: string) => (apiKey === 'k' ? 's3cret' : undefined),
      replayStore: new PostgresReplayStore(db),
      now: () => now,
    });
    expect((await verifyIndxRequest(request, verifier(dataSource))).ok).toBe(true);
    expect(await verifyIndxRequest(request, verifier(otherInstance))).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.ReplayedNonce,
    });
  });
});
