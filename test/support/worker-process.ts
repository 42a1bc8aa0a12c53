/** Spawning built `tlbsim worker` processes for distributed tests (needs `npm run build`). */
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';

/** The built CLI entry point. */
export const CLI_MAIN = join(__dirname, '..', '..', 'services', 'cli', 'dist', 'main.js');

/** A spawned worker and its collected standard error. */
export interface WorkerProcess {
  child: ChildProcess;
  log(): string;
  /** SIGTERM (graceful) and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The flag that names `url` to the CLI: `--redis <url>`, or `--redis-cluster <url>` for a `redis-cluster://` URL. */
export function redisArgs(url: string): string[] {
  return [url.startsWith('redis-cluster://') ? '--redis-cluster' : '--redis', url];
}

/** Starts `node services/cli/dist/main.js worker --redis <url> ...args` (`--redis-cluster` for a cluster URL). Short locks so a killed worker's shards come back fast. */
export function startWorker(url: string, args: string[] = []): WorkerProcess {
  const child = spawn(
    process.execPath,
    [CLI_MAIN, 'worker', ...redisArgs(url), '--lock-duration-ms', '2000', '--stalled-interval-ms', '1000', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return {
    child,
    log: () => err,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
