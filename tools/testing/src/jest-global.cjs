// Jest global setup and teardown of every project. Under `npm test` the run is provisioned once
// by run-all.ts and these do nothing; `nx test <project>` on its own provisions (and afterwards
// cleans up) here, through provision-cli.ts in a child process (Jest's module loading for global
// setup does not resolve the workspace's path aliases).
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = [path.join(ROOT, 'tools', 'run-ts.cjs'), path.join(__dirname, 'provision-cli.ts')];

async function globalSetup() {
  if (process.env.FINMESH_TEST_RUN_ID) return;
  const output = execFileSync(process.execPath, [...CLI, 'provision'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env = JSON.parse(output.trim().split('\n').pop());
  process.env.FINMESH_TEST_RUN_ID = env.runId;
  process.env.KAFKA_BROKERS = env.broker.brokers;
  process.env.FINMESH_TEST_ADMIN_DATABASE_URL = env.adminDatabaseUrl;
  globalThis.__FINMESH_TEST_ENV__ = env;
}

async function globalTeardown() {
  const env = globalThis.__FINMESH_TEST_ENV__;
  if (!env) return;
  execFileSync(process.execPath, [...CLI, 'teardown', JSON.stringify(env)], { stdio: ['ignore', 'inherit', 'inherit'] });
}

module.exports = { globalSetup, globalTeardown };
