/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped")
 * as the very last output, after jest's own summary, preceded by one line per
 * test file that had skipped tests, so that nothing is skipped without a
 * word.
 */
const { relative } = require('path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const lines = [];
    for (const file of results.testResults) {
      const n = file.testResults.filter(
        (a) => a.status === 'pending' || a.status === 'todo' || a.status === 'skipped',
      ).length;
      if (n > 0) lines.push(`skipped: ${n} in ${relative(this.rootDir, file.testFilePath)}`);
    }
    lines.push(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
    // Jest prints its summary after every reporter's onRunComplete: wait for exit.
    process.once('exit', () => process.stderr.write(`${lines.join('\n')}\n`));
  }
}

module.exports = SummaryReporter;
