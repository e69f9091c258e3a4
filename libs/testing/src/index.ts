export { expectEventually } from './expect-eventually';
export type { EventuallyOptions } from './expect-eventually';
export { createTestDatabase, testEnvironment, testTopicPrefix, uniqueSuffix, TEST_DATABASE_PREFIX } from './test-environment';
export type { TestEnvironment } from './test-environment';
