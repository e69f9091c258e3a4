// Runs a TypeScript entry point of the workspace directly (tools, local stack, services in dev):
// SWC compiles on the fly with decorator metadata and the tsconfig path aliases of the workspace.
'use strict';
const path = require('node:path');

const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: node tools/run-ts.cjs <file.ts> [args...]');
  process.exit(2);
}
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tools', 'tsconfig.runtime.json');
require('@swc-node/register');
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require(path.resolve(entry));
