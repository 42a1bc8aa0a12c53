/**
 * Fixtures of the fault suites (test/faults): a scenario with heavy
 * cross-shard traffic, polling with a named deadline, and waiting for a
 * process to exit within a bound.
 */
import { ChildProcess, spawn } from 'child_process';
import { buildScenario } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import Redis from 'ioredis';
import { freePort, LocalProcess, managed } from '../../services/cli/src/local-cluster';
import { CLI_MAIN, WorkerProcess } from './worker-process';

/** The scenario file of {@link hotScenario} (as `submit` reads it). */
export function hotScenarioInput(accessesPerVcpu: number, snapshotEveryWindows = 16): Record<string, unknown> {
  return {
    name: 'hot',
    fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2 },
    workload: { accessesPerVcpu },
    events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
    // The protocol under test, not the price of L0's refills: priced (costs.l0NestedFaultCycles), this churn keeps the
    // vCPUs refilling and a run lasts ~12x as many windows (19,770 instead of 1,588 at 50k accesses per vCPU).
    costs: { l0NestedFaultCycles: 0 },
    run: { snapshotEveryWindows },
  };
}

/** Memslot updates and MMU-notifier invalidations at a high rate: many cross-shard messages per window. */
export function hotScenario(accessesPerVcpu: number, snapshotEveryWindows = 16): SimConfig {
  return buildScenario(hotScenarioInput(accessesPerVcpu, snapshotEveryWindows), []);
}

/** Polls `fn` every 100 ms until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves true once `child` exited, false if it still runs after `timeoutMs`. */
export function exitsWithin(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** True if a process with this pid exists (signal 0 probes without sending). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A spawned `tlbsim serve` and its output so far. */
export interface ServeProcess {
  child: ChildProcess;
  /** The coordinator's base URL, once it printed it. */
  url: string;
  log(): string;
}

/** Spawns the built `tlbsim serve --port 0 --host 127.0.0.1 ...args` and waits until it listens (up to 30 s). */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, TLBSIM_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-30000)));
  const url = await until('serve listening', async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 30000).catch(
    (e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\n${out}`);
    },
  );
  return { child, url, log: () => out };
}

/** A redis-server without any persistence (what a careless deployment runs), restartable on its port. */
export interface BareRedis {
  url: string;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** A fresh, empty server on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a redis-server with no append-only file and no snapshots on a free port. */
export async function startBareRedis(): Promise<BareRedis> {
  const port = await freePort();
  const spawnIt = async (): Promise<LocalProcess> => {
    const p = managed(
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      }),
    );
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    await until(
      'bare redis-server answering',
      async () => {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        return (await probe.ping()) === 'PONG';
      },
      10000,
    );
    probe.disconnect();
    return p;
  };
  let proc = await spawnIt();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      proc.child.kill('SIGKILL');
      await proc.stop(0);
    },
    restart: async () => {
      proc = await spawnIt();
    },
    stop: () => proc.stop(2000),
  };
}

/** Waits until worker `w` logs that it started point 0 of job `id` (a sweep, hunt or shrink), then SIGKILLs it. */
export async function killMidPoint(w: WorkerProcess, id: string): Promise<void> {
  await until(`a worker to start point 0 of ${id}`, async () => w.log().includes(`point 0 of ${id}: start`), 30000);
  await w.kill();
}
