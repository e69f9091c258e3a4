import { startSandbox, type RunningSandbox } from '../sandbox';
import type { SandboxOptions } from '../options';
import { TEST_START_TIME } from './sandbox-fixture';

/** A tiny quiet sandbox listening on a free port, for tests where the network matters. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ seed: 'contract-tests', size: 'tiny', startTime: TEST_START_TIME, logLevel: false, liveActivity: false, port: 0, ...options });
}
