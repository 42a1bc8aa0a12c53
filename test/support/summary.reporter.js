/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped")
 * as the very last output, after jest's own summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    // Jest prints its summary after every reporter's onRunComplete: wait for exit.
    process.once('exit', () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
