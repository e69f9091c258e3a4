export { expectEventually } from './expect-eventually';
export type { EventuallyOptions } from './expect-eventually';
export { createTestDatabase, testEnvironment, testTopicPrefix, uniqueSuffix, TEST_DATABASE_PREFIX } from './test-environment';
export type { TestEnvironment } from './test-environment';
export { generateLedgerWorkload } from './ledger-workload';
export type { LedgerWorkloadOptions } from './ledger-workload';
export { SandboxAdmin, startProviderSandbox } from './provider-sandbox';
export type { GroundTruthAccount, GroundTruthMoney, SandboxFaultSpec, SandboxProcess, SandboxProcessOptions } from './provider-sandbox';
