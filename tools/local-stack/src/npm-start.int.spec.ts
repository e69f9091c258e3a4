// Integration test: `npm start -- --headless --scenario` against the run's real Kafka and PostgreSQL, twice (the second run resumes).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { testEnvironment, uniqueSuffix } from '@finmesh/testing';
import { Client } from 'pg';
import { SERVICES } from './service-registry';
import type { StackSummary } from './stack';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

interface Run {
  code: number | null;
  output: string;
  summary: StackSummary;
}

const children = new Set<ChildProcess>();

function npmStart(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    // What `npm start` runs (package.json), with the headless flags a CI job would pass.
    const child = spawn(process.execPath, ['tools/run-ts.cjs', 'tools/local-stack/src/main.ts', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    children.add(child);
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      const line = output.split('\n').find((candidate) => candidate.startsWith('{"event":"finmesh.summary"'));
      if (line === undefined) {
        reject(new Error(`npm start printed no summary (exit ${String(code)}):\n${output}`));
        return;
      }
      resolveRun({ code, output, summary: JSON.parse(line) as StackSummary });
    });
  });
}

describe('npm start --headless --scenario', () => {
  const env = testEnvironment();
  const suffix = uniqueSuffix();
  const stateDir = join(WORKSPACE_ROOT, 'tmp', `npm-start-test-${suffix}`);
  const databasePrefix = `finmesh_test_${env.runId}_ns${suffix.slice(0, 4)}_`;
  const args = ['--headless', '--ports', 'auto', '--state-dir', stateDir, '--topic-prefix', `t-${env.runId}-npmstart-${suffix}.`, '--database-prefix', databasePrefix, '--log-level', 'warn', '--sandbox-size', 'tiny', '--no-live-activity', '--timeout', '90'];
  const childEnv = { KAFKA_BROKERS: env.kafkaBrokers.join(','), DATABASE_URL: env.adminDatabaseUrl };

  afterAll(async () => {
    // A run cut short by a test timeout is stopped like Ctrl-C would (it stops its services).
    for (const child of children) child.kill('SIGINT');
    await Promise.all([...children].map((child) => new Promise((resolveExit) => child.once('exit', resolveExit))));
    await rm(stateDir, { recursive: true, force: true });
  });

  it('brings every registry service up healthy, runs the scenario (skipping, visibly, what has not landed), ends with the ledger equal to the sandbox and stops cleanly', async () => {
    const run = await npmStart([...args, '--scenario'], childEnv);
    const { summary } = run;
    const failed = summary.scenario.filter((step) => step.status === 'failed');
    expect(failed).toEqual([]);
    expect(summary.services.filter((service) => service.state !== 'ready')).toEqual([]);
    expect(summary.services.map((service) => service.app).sort()).toEqual(SERVICES.map((service) => service.app).sort());
    for (const step of summary.scenario.filter((candidate) => candidate.status === 'skipped')) {
      expect(step.detail).toMatch(/^not available yet: connector-/);
    }
    expect(summary.scenario.find((step) => step.id === 'reconciled')).toMatchObject({ status: 'passed' });
    expect(summary.balances?.allEqual).toBe(true);
    expect(summary.openDiscrepancies).toBe(0);
    expect(summary.ok).toBe(true);
    expect(run.code).toBe(0);
    expect(summary.topics.find((topic) => topic.topic === 'finmesh.callback-received.v1')?.total).toBeGreaterThanOrEqual(2);
    expect(summary.topics.every((topic) => topic.deadLettered === 0)).toBe(true);
    // The live view's text is printed before the summary line.
    expect(run.output).toContain('BALANCES (ledger booked vs sandbox ground truth)');
    expect(run.output).toContain('[finmesh');
    expect(run.output).toMatch(/\] stopped/);
    // The providers' state, saved when the sandbox stopped, for the next run to resume from.
    expect(existsSync(join(stateDir, 'sandbox', 'state.bin'))).toBe(true);
  }, 240_000);

  it('runs the scenario again on the same data: the sandbox resumes from its state (nothing issued twice), every step passes, the ledger equals the ground truth', async () => {
    const run = await npmStart([...args, '--scenario'], childEnv);
    const { summary } = run;
    expect(run.output).toContain(`resumed: topics, databases and the providers' state (${join(stateDir, 'sandbox', 'state.bin')}) hold earlier runs`);
    expect(summary.scenario.filter((step) => step.status === 'failed')).toEqual([]);
    expect(summary.services.filter((service) => service.state !== 'ready')).toEqual([]);
    expect(summary.scenario.find((step) => step.id === 'reconciled')).toMatchObject({ status: 'passed' });
    expect(summary.balances?.allEqual).toBe(true);
    // No live activity: whatever the ledger found open during the run was cleared by its bookings.
    expect(summary.openDiscrepancies).toBe(0);
    expect(summary.ok).toBe(true);
    expect(run.code).toBe(0);
    expect(summary.topics.every((topic) => topic.deadLettered === 0)).toBe(true);
  }, 240_000);

  it('resumes on the same data when started again: same databases and credentials, schemas up to date, earlier events still there', async () => {
    const output = await new Promise<string>((resolveRun, reject) => {
      const child = spawn(process.execPath, ['tools/run-ts.cjs', 'tools/local-stack/src/main.ts', '--once', ...args.filter((arg) => arg !== '--headless')], {
        cwd: WORKSPACE_ROOT,
        env: { ...process.env, ...childEnv },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolveRun(text) : reject(new Error(`npm start --once exited ${String(code)}:\n${text}`))));
    });
    expect(output).toMatch(/topics: 0 created, \d+ already there/);
    for (const service of SERVICES.filter((candidate) => candidate.database !== undefined)) {
      expect(output).toContain(`${service.app}: schema up to date`);
      expect(output).not.toContain(`${service.app}: created database`);
    }
    const client = new Client({ connectionString: `${env.adminDatabaseUrl.replace(/\/postgres$/, '')}/${databasePrefix}ingress` });
    await client.connect();
    try {
      const stored = await client.query<{ count: string }>('SELECT count(*)::text AS count FROM ingress_callback');
      expect(Number(stored.rows[0]?.count)).toBeGreaterThanOrEqual(2);
    } finally {
      await client.end();
    }
  });
});
