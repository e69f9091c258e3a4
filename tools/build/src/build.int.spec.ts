// Integration test: builds the workspace with tools/build and runs the built ledger against the run's real Kafka and PostgreSQL.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createTestDatabase, expectEventually, testEnvironment, testTopicPrefix, uniqueSuffix } from '@finmesh/testing';
import { buildWorkspace, WORKSPACE_ROOT } from './build';

const OUT_DIR = join(WORKSPACE_ROOT, 'tmp', `build-test-${uniqueSuffix()}`);

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

interface Finished {
  code: number | null;
  output: string;
}

function runNode(entry: string, env: Record<string, string>): { finished: Promise<Finished>; stop(): void; output(): string } {
  const child = spawn(process.execPath, [entry], { cwd: OUT_DIR, env: { PATH: process.env['PATH'] ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const finished = new Promise<Finished>((resolveExit) => child.once('exit', (code) => resolveExit({ code, output })));
  return { finished, stop: () => child.kill('SIGTERM'), output: () => output };
}

describe('npm run build (tools/build)', () => {
  beforeAll(async () => {
    await buildWorkspace({ outDir: OUT_DIR });
  });

  afterAll(async () => {
    await rm(OUT_DIR, { recursive: true, force: true });
  });

  it('writes CommonJS with relative paths instead of @finmesh aliases, decorator metadata and source maps, and no tests', () => {
    const main = readFileSync(join(OUT_DIR, 'apps/ledger/src/main.js'), 'utf8');
    expect(main).toContain('require("../../../libs/service-runtime/src")');
    expect(main).not.toContain('@finmesh/');
    expect(main).toContain('//# sourceMappingURL=main.js.map');
    const map = JSON.parse(readFileSync(join(OUT_DIR, 'apps/ledger/src/main.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.map((source) => resolve(OUT_DIR, 'apps/ledger/src', source))).toEqual([join(WORKSPACE_ROOT, 'apps/ledger/src/main.ts')]);
    const controller = readFileSync(join(OUT_DIR, 'apps/ledger/src/api/ledger.controller.js'), 'utf8');
    expect(controller).toContain('design:paramtypes');
    expect(existsSync(join(OUT_DIR, 'apps/ledger/src/ledger/batch-processor.int.spec.js'))).toBe(false);
  });

  it('the built ledger stops at boot with the configuration error that names the missing variables', async () => {
    const { code, output } = await runNode('apps/ledger/src/main.js', {}).finished;
    expect(code).toBe(78);
    expect(output).toContain('KAFKA_BROKERS: is required');
    expect(output).toContain('DATABASE_URL: is required');
  });

  it('the built ledger boots against Kafka and PostgreSQL and answers /health/live and /health/ready', async () => {
    const env = testEnvironment();
    const port = await freePort();
    const prefix = testTopicPrefix('build-ledger');
    const ledger = runNode('apps/ledger/src/main.js', {
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PROVISION_TOPICS: 'true',
      LEDGER_CONSUMER_GROUP: `${prefix}ledger`,
      DATABASE_URL: await createTestDatabase('build-ledger'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    try {
      await expectEventually(
        async () => {
          const live = await fetch(`http://127.0.0.1:${port}/health/live`);
          expect(live.status).toBe(200);
          const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
          expect(ready.status).toBe(200);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      ).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\nledger output:\n${ledger.output()}`);
      });
    } finally {
      ledger.stop();
    }
    const { code } = await ledger.finished;
    expect(code === 0 || code === null).toBe(true);
  });
});
