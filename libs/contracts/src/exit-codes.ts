/** Process exit codes of `tlbsim` and of the worker process (services/worker main.ts). */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** `--fail-on-violation` and the run found at least one violation. */
  VIOLATIONS: 1,
  /** The run made no guest access at all: nothing was checked, which is not a pass (same code as violations). */
  NO_ACCESSES: 1,
  /** Bad input: usage, unknown option, missing file, parse or validation error. */
  BAD_INPUT: 2,
  /** The run itself failed (a bug or an engine error). */
  RUN_FAILED: 3,
  /** A service (Redis) could not be reached, or a wait gave up: same code as a failed run. */
  UNREACHABLE: 3,
  /** Interrupted by Ctrl-C (SIGINT): 128 + 2, as a shell reports a process the signal ended. */
  INTERRUPTED: 130,
});
