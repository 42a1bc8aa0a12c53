/**
 * Fixtures of the coordinator suites: a real Redis (startRedis), real worker
 * processes (the built CLI), and the coordinator app in this process.
 */
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp, CoordinatorOptions } from '@tlbsim/coordinator';
import { startRedis, TestRedis } from './redis-server';

/** The built CLI entry point (run `npm run build` first). */
export const CLI_MAIN = join(__dirname, '..', '..', 'services', 'cli', 'dist', 'main.js');

/** A spawned worker process. */
export interface WorkerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `node services/cli/dist/main.js worker --redis <url>`; its output is kept for failure messages. */
export function spawnWorker(redisUrl: string, concurrency = 2): WorkerProcess {
  const child = spawn(
    process.execPath,
    [CLI_MAIN, 'worker', '--redis', redisUrl, '--concurrency', String(concurrency)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
      if (process.env.TLBSIM_TEST_VERBOSE) process.stderr.write(log);
    },
  };
}

/** Redis + workers + a coordinator app, started together. */
export interface CoordinatorStack {
  redis: TestRedis;
  workers: WorkerProcess[];
  app: NestExpressApplication;
  stop(): Promise<void>;
}

/** Starts Redis, `workers` worker processes and the coordinator (not listening unless `listen`). */
export async function startStack(
  opts: { workers?: number; concurrency?: number; listen?: boolean; options?: Partial<CoordinatorOptions> } = {},
): Promise<CoordinatorStack> {
  const redis = await startRedis();
  const workers = Array.from({ length: opts.workers ?? 1 }, () => spawnWorker(redis.url, opts.concurrency ?? 2));
  const app = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent', ...opts.options });
  if (opts.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  return {
    redis,
    workers,
    app,
    async stop() {
      await app.close().catch(() => undefined);
      await Promise.all(workers.map((w) => w.stop()));
      await redis.stop();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Parses an SSE body into `{ id, data }` messages. */
export function parseSse(text: string): { id?: string; data: unknown }[] {
  return text
    .split('\n\n')
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return data ? { id, data: JSON.parse(data) as unknown } : null;
    })
    .filter((m): m is { id: string | undefined; data: unknown } => m !== null);
}
