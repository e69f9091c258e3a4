// Integration test: builds the workspace with tools/build and runs the built ledger against the run's real Kafka and PostgreSQL.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTestDatabase, expectEventually, freePort, testEnvironment, testTopicPrefix, uniqueSuffix } from '@finmesh/testing';
import { SERVICES } from '@finmesh/tools-local-stack';
import { buildWorkspace, WORKSPACE_ROOT } from './build';
import { healthcheckScript, imageEntryOf, PROVISION_IMAGE, startScript } from './image-entry';

const OUT_DIR = join(WORKSPACE_ROOT, 'tmp', `build-test-${uniqueSuffix()}`);

interface Finished {
  code: number | null;
  output: string;
}

function runNode(entry: string, env: Record<string, string>, nodeArgs: readonly string[] = []): { finished: Promise<Finished>; stop(): void; output(): string } {
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: OUT_DIR, env: { PATH: process.env['PATH'] ?? '', ...env } });
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

  it.each([...SERVICES.map((service) => service.app), PROVISION_IMAGE])(
    'the image entry of %s loads only production dependencies of package.json',
    async (app) => {
      const entry = imageEntryOf(app);
      // In the image the entry sits at /app beside dist/; here OUT_DIR plays /app.
      writeFileSync(join(OUT_DIR, `start-${app}.js`), startScript({ ...entry, entry: entry.entry.replace(/^dist\//, '') }));
      const requiresFile = join(OUT_DIR, `requires-${app}.txt`);
      // PORT=0: Nest services stop at the config check after loading their whole graph; the sandbox listens and is stopped.
      const run = runNode(`start-${app}.js`, { PORT: '0', HOST: '127.0.0.1', FINMESH_REQUIRES_FILE: requiresFile, FINMESH_REQUIRES_ROOT: OUT_DIR }, ['-r', join(__dirname, 'record-requires.cjs')]);
      const timer = setTimeout(() => run.stop(), 15_000);
      await expectEventually(() => expect(run.output()).toMatch(/ready|invalid|required|must be/i), { timeoutMs: 15_000, intervalMs: 100 });
      run.stop();
      await run.finished;
      clearTimeout(timer);
      const packageJson = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const required = [...new Set(readFileSync(requiresFile, 'utf8').split('\n').filter((line) => line !== ''))];
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((name) => packageJson.dependencies[name] === undefined)).toEqual([]);
    },
    30_000,
  );

  it('writes a start script with the registry port as default and a /health/live check', () => {
    const ledger = imageEntryOf('ledger');
    expect(ledger).toEqual({ entry: 'dist/apps/ledger/src/main.js', port: 3100 });
    expect(startScript(ledger)).toContain("process.env.PORT = process.env.PORT || '3100';");
    expect(startScript(ledger)).toContain("require('./dist/apps/ledger/src/main.js');");
    expect(healthcheckScript(ledger)).toContain("'/health/live'");
    expect(imageEntryOf(PROVISION_IMAGE).port).toBeUndefined();
    expect(existsSync(join(OUT_DIR, imageEntryOf(PROVISION_IMAGE).entry.replace(/^dist\//, '')))).toBe(true);
    expect(() => imageEntryOf('not-an-app')).toThrow(/not a service/);
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
