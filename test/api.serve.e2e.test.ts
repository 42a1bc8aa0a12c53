/**
 * `tlbsim serve` as a newcomer runs it (the built CLI): one command starts a
 * private redis-server, the coordinator and local workers, and SIGTERM stops
 * them all. Without Redis anywhere it says so and exits 2.
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Socket } from 'net';
import { CLI_MAIN, eventually } from './support/coordinator.fixture';

/** True if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.connect(port, '127.0.0.1');
  });
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, TLBSIM_LOG_LEVEL: 'warn', ...extra };
  delete base.REDIS_URL;
  delete base.TLBSIM_REDIS_URL;
  return base;
}

describe('tlbsim serve', () => {
  it('starts a private redis-server, the coordinator and N workers, and stops them all on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--workers', '2'], {
      env: env({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await eventually(async () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 30000);
      const redisPort = Number(/redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(err)?.[1]);
      expect(redisPort).toBeGreaterThan(0);
      expect(redisPort).not.toBe(6379);
      const health = await eventually(
        async () => {
          const body = (await (await fetch(`${url}/health`)).json()) as { info?: { workers?: { live: number } } };
          return body.info?.workers?.live === 2 ? body : null;
        },
        30000,
        200,
      );
      expect(health.info?.workers?.live).toBe(2);
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await listening(redisPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 2 with a clear message when there is no Redis URL and no redis-server on PATH', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'tlbsim-no-redis-'));
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0'], {
      env: env({ PATH: emptyPath }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const guard = setTimeout(() => child.kill('SIGTERM'), 20000);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(guard);
    rmSync(emptyPath, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(err).toMatch(/no redis-server on PATH/);
    expect(err).toMatch(/--redis/);
  });
});
