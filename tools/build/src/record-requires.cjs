// Preloaded (node -r) by build.int.spec.ts: records every package that the compiled workspace
// code (files under dist/) requires, so the test can check the image's production dependencies.
'use strict';
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { builtinModules } = Module;

const out = process.env.FINMESH_REQUIRES_FILE;
const root = process.env.FINMESH_REQUIRES_ROOT;
const originalRequire = Module.prototype.require;
Module.prototype.require = function recordingRequire(specifier, ...rest) {
  if (out && root && typeof this.filename === 'string' && this.filename.startsWith(root) && !specifier.startsWith('.') && !specifier.startsWith('/')) {
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (!name.startsWith('node:') && !builtinModules.includes(name)) appendFileSync(out, `${name}\n`);
  }
  return originalRequire.call(this, specifier, ...rest);
};
