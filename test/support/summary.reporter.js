/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped")
 * as the very last output, after jest's own summary, preceded by one line per
 * test file that had skipped tests, so that nothing is skipped without a
 * word, and by the slowest test files with their seconds, so that every CI
 * log shows where the suite's time goes (issue 28).
 */
const { relative } = require('path');

/** How many of the slowest test files the summary names. */
const SLOWEST_FILES = 10;

/** Wall seconds a test file took, from jest's per-file timing (0 when it has none: a file that failed to load). */
function secondsOf(file) {
  const p = file.perfStats;
  if (!p || !p.end || !p.start) return 0;
  return (p.end - p.start) / 1000;
}

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
    const slowest = [...results.testResults].sort((a, b) => secondsOf(b) - secondsOf(a)).slice(0, SLOWEST_FILES);
    for (const file of slowest)
      lines.push(`slow: ${secondsOf(file).toFixed(1)} s ${relative(this.rootDir, file.testFilePath)}`);
    lines.push(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
    // Jest prints its summary after every reporter's onRunComplete: wait for exit.
    process.once('exit', () => process.stderr.write(`${lines.join('\n')}\n`));
  }
}

module.exports = SummaryReporter;
