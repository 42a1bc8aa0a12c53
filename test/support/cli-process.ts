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

/** A `tlbsim` child process whose output is read while it runs. */
export interface LiveCli {
  child: ReturnType<typeof spawn>;
  out(): string;
  err(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves once standard error matches `pattern` (the match), or rejects after `timeoutMs` with what it printed. */
  untilErr(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Starts `node services/cli/dist/main.js ...args`, reading its output as it comes. */
export function startBuiltCli(args: readonly string[]): LiveCli {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  const untilErr = async (pattern: RegExp, timeoutMs = 60000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(err);
      if (m) return m;
      if (Date.now() > deadline || closed) throw new Error(`no ${pattern} on stderr; it printed:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out: () => out, err: () => err, exited, untilErr };
}
