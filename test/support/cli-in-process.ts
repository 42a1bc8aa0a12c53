/**
 * Running `tlbsim` inside the test process: the same program `main.ts`
 * starts (the command registry's factories, `runCli`, the engine's
 * in-process runner), with standard output and error collected instead of
 * written. For groups of bad-input checks, which would otherwise each pay a
 * Node start-up and a module load as a child process; the process boundary
 * itself (exit code, the two streams) stays covered by the suites that spawn
 * the built CLI (test/cli.test.ts keeps one such check per kind of exit).
 */
import { runInProcess } from '@tlbsim/engine';
import type { CliIo, SimulationRunner } from '../../services/cli/src/cli.context';
import { commandsFor } from '../../services/cli/src/commands.registry';
import { runCli } from '../../services/cli/src/program';
import type { CliRun } from './cli-process';

/** The runner `main.ts` gives the commands. */
const run: SimulationRunner = (config, opts) => runInProcess(config, opts);

/**
 * Runs `tlbsim ...args` in this process to its end, as `main.ts` would:
 * its exit code (the one the process would exit with) and what it wrote.
 */
export async function runCliInProcess(args: readonly string[]): Promise<CliRun> {
  const argv = ['node', 'tlbsim', ...args];
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s) };
  const code = await runCli(argv, await commandsFor(argv), io, run);
  return { code, out, err };
}
