// Writes each Jest run's counts to FINMESH_TEST_RESULTS_DIR so `npm test` can print one total.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.FINMESH_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const name = (this.globalConfig.rootDir || 'project').replace(/[^A-Za-z0-9]+/g, '_');
    const skipped = results.testResults.flatMap((suite) =>
      suite.testResults.filter((t) => t.status === 'pending' || t.status === 'todo').map((t) => `${suite.testFilePath}: ${t.fullName}`),
    );
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({
        rootDir: this.globalConfig.rootDir,
        suites: results.numTotalTestSuites,
        failedSuites: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped,
      }),
    );
  }
}

module.exports = ResultsReporter;
