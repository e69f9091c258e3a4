// Integration test: `npm run build`, then the built provisioning job (what the Dockerfile's `provision` image and the k8s Job run) against the run's real Kafka and PostgreSQL.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createKafka } from '@finmesh/kafka';
import { topicSpecs } from '@finmesh/schemas';
import { createTestDatabase, testEnvironment, testTopicPrefix, uniqueSuffix } from '@finmesh/testing';
import { SERVICES } from '../service-registry';
import { databaseUrlVariable } from './provision';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');
// Inside the workspace, as /app/dist sits beside /app/node_modules in the image.
const OUT_DIR = join(WORKSPACE_ROOT, 'tmp', `provision-build-${uniqueSuffix()}`);

function run(command: readonly string[], options: { cwd: string; env: Record<string, string> }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, command, { cwd: options.cwd, env: options.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolveRun({ code, output }));
  });
}

describe('the provisioning job from the built output (dist/)', () => {
  afterAll(async () => {
    await rm(OUT_DIR, { recursive: true, force: true });
  });

  it('creates the registry topics and applies every service’s migrations, loading them by path from dist/; a second run changes nothing', async () => {
    const built = await run(['tools/run-ts.cjs', 'tools/build/src/main.ts', '--out', OUT_DIR], { cwd: WORKSPACE_ROOT, env: { ...process.env } as Record<string, string> });
    expect(built).toMatchObject({ code: 0 });

    const env = testEnvironment();
    const prefix = testTopicPrefix('provision-built');
    const databases = SERVICES.filter((service) => service.database !== undefined);
    const jobEnv: Record<string, string> = {
      // Nothing of the development setup: no register hook, no workspace paths, as in the image.
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
    };
    for (const service of databases) jobEnv[databaseUrlVariable(service)] = await createTestDatabase(`provision-${service.app}`);
    const entry = join(OUT_DIR, 'tools', 'local-stack', 'src', 'provision', 'provision-main.js');

    const first = await run([entry], { cwd: OUT_DIR, env: jobEnv });
    expect(first.output).toContain('provisioning complete');
    expect(first.code).toBe(0);
    expect(first.output).toMatch(new RegExp(`topics: ${topicSpecs(prefix).length} created, 0 already there`));
    for (const service of databases) expect(first.output).toMatch(new RegExp(`${service.app}: applied \\w+`));

    const admin = createKafka({ brokers: env.kafkaBrokers, clientId: 'provision-built-test' }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topicSpecs(prefix).map((spec) => spec.name).filter((name) => !topics.includes(name))).toEqual([]);
    } finally {
      await admin.disconnect();
    }

    const second = await run([entry], { cwd: OUT_DIR, env: jobEnv });
    expect(second.code).toBe(0);
    expect(second.output).toContain(`topics: 0 created, ${topicSpecs(prefix).length} already there`);
    for (const service of databases) expect(second.output).toContain(`${service.app}: schema up to date`);
  }, 120_000);
});
