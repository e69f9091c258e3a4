/** The sandbox's programmatic entry points (for this project's tests; other projects spawn main.ts). */
export { createSandbox, startSandbox } from './sandbox';
export type { ListenOptions, RunningSandbox, Sandbox } from './sandbox';
export { loadConfig, ConfigError } from './config';
export type { SandboxOptions } from './options';
export type { GroundTruthAccount, GroundTruthTransaction } from './core/ground-truth';
export type { FaultSpec } from './core/faults';
