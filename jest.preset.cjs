// Shared Jest settings for every project. SWC compiles TypeScript (with decorator metadata,
// which NestJS dependency injection needs); `npm run typecheck` is where types are checked.
const { nxPreset } = require('@nx/jest/preset');
const path = require('node:path');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Provisions (or reuses) the one Kafka broker and PostgreSQL server shared by the whole run.
  globalSetup: path.join(__dirname, 'tools/testing/src/global-setup.cjs'),
  globalTeardown: path.join(__dirname, 'tools/testing/src/global-teardown.cjs'),
  testTimeout: 60_000,
  // A suite that fails during setup can leave a child process (sandbox, ledger) holding a handle;
  // the run must still end and report, never hang CI until its time limit.
  forceExit: true,
  reporters: ['default', path.join(__dirname, 'tools/testing/src/results-reporter.cjs')],
};
