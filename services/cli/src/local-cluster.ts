import { ChildProcess, spawn } from 'child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { createServer, Socket } from 'net';
import { delimiter, join } from 'path';

/** A child process `tlbsim serve` started and stops on exit. */
export interface LocalProcess {
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A private redis-server. */
export interface LocalRedis extends LocalProcess {
  url: string;
  port: number;
  /** Its data directory (the append-only file). */
  dataDir: string;
}

/** The full path of `name` on `PATH`, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (never Redis's default 6379). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 6379) return port;
  }
}

/**
 * Why `port` on `host` cannot be listened on (`EADDRINUSE`, `EACCES`, ...),
 * or null if it can: checked before `serve` starts anything, so a busy port
 * costs no private Redis and no workers.
 */
export function listenError(port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    srv.listen(port, host, () => srv.close(() => resolve(null)));
  });
}

/** True if a Redis on `port` answers an inline PING. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.connect(port, '127.0.0.1', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Wraps a child with {@link LocalProcess.stop}. */
export function managed(child: ChildProcess): LocalProcess {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts `redisServer` on `port` (default: a free one) of 127.0.0.1 and waits
 * until it answers PING (up to 10 s). It persists with an append-only file in
 * `dataDir` (default: a fresh temporary directory), so a Redis restarted on
 * the same directory loses no job: fsync every second (`fsync: 'always'`
 * loses nothing even to SIGKILL, at the cost of a disk flush per write). A
 * directory it created itself is removed by `stop`.
 */
export async function startLocalRedis(
  redisServer: string,
  port?: number,
  dataDir?: string,
  fsync: 'everysec' | 'always' = 'everysec',
): Promise<LocalRedis> {
  port ??= await freePort();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'tlbsim-redis-'));
  const removeDir = (): void => {
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    fsync,
  ];
  const child = spawn(redisServer, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const running = managed(child);
  const proc: LocalProcess = {
    child,
    stop: async (graceMs) => {
      await running.stop(graceMs);
      removeDir();
    },
  };
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await proc.stop(0);
      throw new Error(`redis-server did not start on port ${port}${spawnError ? `: ${spawnError.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...proc, url: `redis://127.0.0.1:${port}`, port, dataDir: dir };
}

/**
 * Starts `count` worker processes: `node <cliMain> worker --redis <url> ...`.
 * Each has an IPC channel to this process; a worker stops when it closes,
 * so workers never outlive their parent, even one killed by SIGKILL.
 */
export function startLocalWorkers(
  count: number,
  cliMain: string,
  args: readonly string[],
  onExit: (index: number, code: number | null) => void,
): LocalProcess[] {
  return Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, [cliMain, 'worker', ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('exit', (code) => onExit(i, code));
    return managed(child);
  });
}
