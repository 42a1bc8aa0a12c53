/**
 * Nothing hangs: the distributed commands against a Redis that does not
 * answer end with one line and exit 3; a worker that loses Redis logs one
 * line when it goes and one when it comes back; `serve` on a busy port
 * exits 2 without starting anything. The built CLI, real redis-server.
 */
import { spawn } from 'child_process';
import { existsSync } from 'fs';
import { connect, createServer, Server, Socket } from 'net';
import { freePort } from '../services/cli/src/local-cluster';
import { startRedis } from './support/redis-server';
import { join } from 'path';
import { ROOT } from './support/scenario.fixture';
import { CLI_MAIN, startWorker } from './support/worker-process';

jest.setTimeout(60000);

/** Runs the built CLI to its end (killed after `timeoutMs`, which then fails the test through `status`). */
function tlbsim(
  args: string[],
  timeoutMs = 30000,
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

async function until(what: string, fn: () => boolean, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

describe('a Redis that does not answer', () => {
  it.concurrent.each([
    ['submit', () => ['submit', join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml')]],
    ['worker', () => ['worker']],
    ['cancel', () => ['cancel', 'some-job']],
    ['export', () => ['export', 'some-job']],
  ])('%s: bounded retries, then exit 3 with one line naming the URL and the cause', async (_name, argsOf) => {
    const url = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
    const r = await tlbsim([...argsOf(), '--redis', url]);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(
      `tlbsim: cannot reach Redis at ${url}: connect ECONNREFUSED ${url.slice('redis://'.length)} (4 attempts)\n`,
    );
    expect(r.stdout).toBe('');
  });
});

/**
 * A TCP proxy to Redis that the test can cut: while down it resets every
 * connection, so the worker sees Redis go away without the test giving up
 * the port (another suite's redis-server could take it in between).
 */
async function cuttableProxy(
  target: number,
): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  let down = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut() {
      down = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a worker that loses Redis', () => {
  it('keeps retrying and logs one line when Redis goes and one when it is back', async () => {
    const redis = await startRedis();
    const proxy = await cuttableProxy(redis.port);
    const worker = startWorker(proxy.url);
    try {
      await until('the worker to be ready', () => worker.log().includes('ready'));
      proxy.cut();
      // Long enough for many reconnection attempts of its several connections and heartbeats.
      await new Promise((r) => setTimeout(r, 4000));
      expect(worker.child.exitCode).toBeNull();
      proxy.restore();
      await until('the worker to see Redis back', () => worker.log().includes('answers again'));
      // Nothing but the two state lines after "ready": no line per failed attempt, connection or heartbeat.
      const lines = worker.log().split('\n').filter(Boolean);
      const after = lines.slice(lines.findIndex((l) => l.includes(' ready: ')) + 1);
      expect(after).toEqual([
        expect.stringMatching(`^tlbsim: Redis at ${proxy.url} is unreachable \\(.+\\); retrying$`),
        `tlbsim: Redis at ${proxy.url} answers again`,
      ]);
      expect(worker.log()).not.toMatch(/Unhandled error event| {4}at /);
    } finally {
      await worker.kill();
      await proxy.close();
      await redis.stop();
    }
  });
});

describe('serve on a busy port', () => {
  let busy: Server;
  let port: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('exits 2 with "port P is in use" and starts nothing (no private redis-server, no workers)', async () => {
    const r = await tlbsim(['serve', '--port', String(port), '--host', '127.0.0.1', '--workers', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tlbsim serve: port ${port} is in use\n`);
    expect(r.stdout).toBe('');
  });
});
