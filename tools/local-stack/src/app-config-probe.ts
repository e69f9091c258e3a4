import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * Reads what an app itself requires: its main.ts started with a given environment stops with a
 * configuration error naming every bad or missing variable (libs/service-runtime's loadConfig,
 * the sandbox's own). Used to keep the registry, docker-compose.yml and k8s/ honest.
 */
const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Starts an app's main.ts (or another entry, given as a workspace path ending in .ts) with only PATH
 * (plus `extra`) and returns what it printed when it stopped.
 */
export function configErrorOf(app: string, extra: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const entry = app.endsWith('.ts') ? app : join('apps', app, 'src', 'main.ts');
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), entry], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...extra },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** Variable names a configuration error mentions (`NAME: problem`). */
export function variablesNamed(output: string): string[] {
  return [...new Set([...output.matchAll(/\b([A-Z][A-Z0-9_]{2,}): /g)].map((match) => match[1] ?? ''))].sort();
}
