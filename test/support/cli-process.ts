/** Running the built `tlbsim` as a child process, the way a user runs it (needs `npm run build`). */
import { spawn } from 'child_process';
import { CLI_MAIN } from './worker-process';

/** Exit code and output of one CLI run. */
export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `node services/cli/dist/main.js ...args` to its end, without blocking the test's event loop. */
export function runBuiltCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}
