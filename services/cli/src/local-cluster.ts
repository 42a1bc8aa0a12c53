import { ChildProcess, spawn } from 'child_process';
import { accessSync, constants } from 'fs';
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
 * Starts `redisServer` on a free port of 127.0.0.1, without persistence, and
 * waits until it answers PING (up to 10 s).
 */
export async function startLocalRedis(redisServer: string): Promise<LocalRedis> {
  const port = await freePort();
  const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const proc = managed(child);
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
  return { ...proc, url: `redis://127.0.0.1:${port}`, port };
}

/**
 * Starts `count` worker processes: `node <cliMain> worker --redis <url> ...`.
 * Each has an IPC channel to this process; a worker stops when it closes,
 * so workers never outlive their parent, even one killed by SIGKILL.
 */
export function startLocalWorkers(count: number, cliMain: string, args: readonly string[], onExit: (index: number, code: number | null) => void): LocalProcess[] {
  return Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, [cliMain, 'worker', ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('exit', (code) => onExit(i, code));
    return managed(child);
  });
}
