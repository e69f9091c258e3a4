// Jest global setup and teardown of every project. Jest loads these outside its module resolver,
// so SWC's register hook compiles the TypeScript and resolves the workspace path aliases here.
// Under `npm test` the run is provisioned once by run-all.ts and this does nothing;
// `nx test <project>` on its own provisions (and afterwards cleans up) here.
'use strict';
const path = require('node:path');

function load() {
  process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', 'tsconfig.runtime.json');
  require('@swc-node/register');
  return require('./provision.ts');
}

const log = (line) => console.log(`[finmesh test] ${line}`);

async function globalSetup() {
  if (process.env.FINMESH_TEST_RUN_ID) return;
  globalThis.__FINMESH_TEST_ENV__ = await load().provisionTestEnvironment(log);
}

async function globalTeardown() {
  const env = globalThis.__FINMESH_TEST_ENV__;
  if (!env) return;
  await load().teardownTestEnvironment(env, log);
}

module.exports = { globalSetup, globalTeardown };
