import type { LightMyRequestResponse } from 'fastify';
import { createSandbox, type Sandbox } from '../sandbox';
import type { SandboxOptions } from '../options';

/** The fixed start of test sandboxes, so seeded data and dates are the same on every run. */
export const TEST_START_TIME = '2025-03-03T09:00:00.000Z';
export const ADMIN_HEADERS = { authorization: 'Bearer sandbox-admin-token' } as const;

/** A tiny, quiet, manual-clock sandbox for inject-based tests. */
export function createTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({
    seed: 'contract-tests',
    size: 'tiny',
    startTime: TEST_START_TIME,
    logLevel: false,
    ...options,
  });
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Moves the sandbox clock through the admin API, as a test of another project would. */
export async function advanceClock(sandbox: Sandbox, ms: number): Promise<void> {
  const response = await sandbox.app.inject({ method: 'POST', url: '/_admin/clock/advance', headers: ADMIN_HEADERS, payload: { ms } });
  if (response.statusCode !== 200) throw new Error(`advancing the clock failed: ${response.body}`);
}
