/**
 * docker-compose.yml, checked without a container engine:
 * - `docker-compose config -q` (Debian's docker-compose 1.29, installed by
 *   .ci/run) validates it against the Compose schema;
 * - its resolved form (`docker-compose config`) has Redis with AOF and
 *   noeviction, a scalable worker service and health checks;
 * - the coordinator and two workers are started as plain processes with
 *   exactly the resolved `command` and `environment` of their services
 *   (`node services/cli/dist/main.js <command...>`), with only these
 *   substitutions: the `redis` host becomes a private redis-server on a free
 *   port, the coordinator's `--port 3000` a free port, `--host 0.0.0.0`
 *   127.0.0.1. A job submitted over the HTTP API (with the bearer token the
 *   compose environment passes through) completes on the two workers with
 *   the in-process digest; the services' health-check commands pass.
 * Needs `npm run build` first (like test/api.e2e.test.ts) and docker-compose
 * (scripts/ensure-tools.sh installs it; without it the suite fails with the reason).
 */
import { buildScenario, parseScenarioText } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import Redis from 'ioredis';
import { parse } from 'yaml';
import { startRedis, TestRedis } from '../support/redis-server';
import { describeWith } from '../support/required-tool';

/** Redis's standard port, which the compose file's redis service listens on (never used on this machine). */
const REDIS_STANDARD_PORT = 6000 + 379;

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'services', 'cli', 'dist', 'main.js');
const HEALTHCHECK = join(ROOT, 'deploy', 'healthcheck.js');
const TOKEN = `ci-${randomBytes(8).toString('hex')}`;

interface Service {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  ports?: unknown[];
  container_name?: string;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }> | string[];
}

/** Runs docker-compose from PATH in the repository root. */
function compose(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TLBSIM_') && k !== 'COMPOSE_FILE'),
  );
  const r = spawnSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error)
    throw new Error(
      `docker-compose could not run (apt-get install docker-compose; .ci/run installs it): ${r.error.message}`,
    );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const resolved = (() => {
  let cached: { services: Record<string, Service> } | undefined;
  return () => {
    if (!cached) {
      const r = compose(['config'], { TLBSIM_API_TOKEN: TOKEN });
      if (r.status !== 0) throw new Error(`docker-compose config failed: ${r.stderr}`);
      cached = parse(r.stdout) as { services: Record<string, Service> };
    }
    return cached;
  };
})();

describeWith('docker-compose', 'docker-compose.yml', () => {
  it('is valid for docker-compose (config -q exits 0)', () => {
    const r = compose(['config', '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs Redis with AOF on and maxmemory-policy noeviction, with a health check', () => {
    const redis = resolved().services.redis;
    const cmd = redis.command as string[];
    expect(Array.isArray(cmd)).toBe(true);
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('has a worker service that scales (no container_name, no host port) and health checks everywhere', () => {
    const { services } = resolved();
    expect(Object.keys(services).sort()).toEqual(['coordinator', 'redis', 'worker']);
    expect(services.worker.container_name).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
    for (const [name, s] of Object.entries(services))
      expect([name, Array.isArray(s.healthcheck?.test)]).toEqual([name, true]);
    expect(services.coordinator.ports).toEqual([{ published: 3000, target: 3000 }]);
    expect(services.coordinator.image).toBe(services.worker.image);
    // The raw file too: scaling with --scale needs these absent before interpolation as well.
    const raw = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
    expect(raw.services.worker.container_name).toBeUndefined();
    expect(raw.services.worker.ports).toBeUndefined();
  });

  it('passes TLBSIM_API_TOKEN through to the coordinator', () => {
    expect(resolved().services.coordinator.environment?.TLBSIM_API_TOKEN).toBe(TOKEN);
    const open = compose(['config']);
    expect(
      (parse(open.stdout) as { services: Record<string, Service> }).services.coordinator.environment?.TLBSIM_API_TOKEN,
    ).toBe('');
  });
});

describeWith('docker-compose', 'the compose services as plain processes', () => {
  let redis: TestRedis;
  let port: number;
  const procs: { name: string; child: ChildProcess; log: string[] }[] = [];
  const base = () => `http://127.0.0.1:${port}`;
  /** The Redis URL the compose services are given (the `redis` service, Redis's standard port). */
  const COMPOSE_REDIS_URL = `redis://redis:${REDIS_STANDARD_PORT}`;

  /** The service's command and environment from the resolved compose file, with the test's substitutions. */
  function asProcess(name: string): { args: string[]; env: Record<string, string> } {
    const s = resolved().services[name];
    // A service with an entrypoint of its own (the worker: tini, node, a built main under /app) runs that main;
    // the others run the image's entrypoint, the CLI.
    const entry = s.entrypoint?.find((a) => a.startsWith('/app/'));
    const main = entry ? join(ROOT, entry.replace(/^\/app\//, '')) : CLI;
    const args = [main, ...(s.command as string[])].map((a, i, all) => {
      if (all[i - 1] === '--port') return String(port);
      if (all[i - 1] === '--host') return '127.0.0.1';
      return a.replace(COMPOSE_REDIS_URL, redis.url);
    });
    const env = Object.fromEntries(
      Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '').replace(COMPOSE_REDIS_URL, redis.url)]),
    );
    return { args, env };
  }

  function start(name: string, label: string): void {
    const { args, env } = asProcess(name);
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TLBSIM_') && k !== 'REDIS_URL'),
    );
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    child.stdout!.on('data', (d) => log.push(String(d)));
    child.stderr!.on('data', (d) => log.push(String(d)));
    procs.push({ name: label, child, log });
  }

  /** A call to the coordinator, with the compose environment's API token (every /api route needs it) unless `anonymous`. */
  const api = async (
    path: string,
    init: RequestInit = {},
    anonymous = false,
  ): Promise<{ status: number; body: any; text: string }> => {
    const auth: Record<string, string> = anonymous ? {} : { authorization: `Bearer ${TOKEN}` };
    const res = await fetch(`${base()}${path}`, {
      ...init,
      headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, text };
  };

  beforeAll(async () => {
    redis = await startRedis();
    port = await freePort();
    start('coordinator', 'coordinator');
    start('worker', 'worker-1');
    start('worker', 'worker-2');
    await eventually('coordinator /health 200', async () => (await api('/health')).status === 200);
    await eventually('2 workers registered', async () => (await api('/api/workers')).body?.length === 2);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      procs.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await redis?.stop();
  });

  it('runs a job submitted over the HTTP API on the two workers with the in-process digest', async () => {
    const file = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
    const raw = parseScenarioText(readFileSync(file, 'utf8'), 'yaml') as Record<string, unknown>;
    const overrides = ['workload.accessesPerVcpu=20000'];
    const body = JSON.stringify({ scenario: raw, overrides, shards: 2 });
    const headers = { 'content-type': 'application/json' };

    // The compose environment set a token: submitting or reading without it is refused.
    expect((await api('/api/jobs', { method: 'POST', headers, body }, true)).status).toBe(401);
    expect((await api('/api/workers', {}, true)).status).toBe(401);
    const submitted = await api('/api/jobs', { method: 'POST', headers, body });
    expect([submitted.status, submitted.text.slice(0, 300)]).toEqual([201, expect.any(String)]);
    const id = submitted.body.id as string;
    expect(submitted.body.shards).toBe(2);

    const view = await eventually(
      'job completed',
      async () => {
        const r = await api(`/api/jobs/${id}`);
        if (['failed', 'cancelled'].includes(r.body?.state)) throw new Error(`job ${r.body.state}: ${r.body.error}`);
        return r.body?.state === 'completed' ? r.body : undefined;
      },
      90_000,
    );
    const expected = await runInProcess(buildScenario(raw, overrides));
    expect(view.digest).toBe(expected.digest);
    expect((await api(`/api/jobs/${id}/result`)).body.digest).toBe(expected.digest);

    // Gang admission with --concurrency 1 each: one shard on each worker.
    const workers = (await api('/api/workers')).body as { id: string; capacity: number }[];
    expect(workers).toHaveLength(2);
    expect(workers.map((w) => w.capacity)).toEqual([1, 1]);
    const ranOn = new Set((view.perShard as { worker: string | null }[]).map((s) => s.worker));
    expect(ranOn.size).toBe(2);
    for (const w of ranOn) expect(workers.map((x) => x.id)).toContain(w);
  });

  it('exposes the values the KEDA triggers read (/health info.workers.demand, /metrics tlbsim_slots_demanded)', async () => {
    const health = await api('/health');
    expect(health.status).toBe(200);
    expect(typeof health.body.info.workers.demand).toBe('number');
    expect(typeof health.body.info.workers.busy).toBe('number');
    const metrics = await api('/metrics');
    expect(metrics.text).toMatch(/^tlbsim_slots_demanded\{kind="total"\} \d+$/m);
    expect(metrics.text).toMatch(/^tlbsim_jobs\{state="waiting-for-workers"\} \d+$/m);
  });

  it('passes the compose health-check commands of the coordinator and the workers', () => {
    const services = resolved().services;
    for (const name of ['coordinator', 'worker']) {
      const test = services[name].healthcheck!.test as string[];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '/app/deploy/healthcheck.js']);
      const args = test.slice(3).map((a) => a.replace('http://127.0.0.1:3000/', `${base()}/`));
      const env = { ...process.env, ...asProcess(name).env };
      const r = spawnSync(process.execPath, [HEALTHCHECK, ...args], { env, encoding: 'utf8', timeout: 10_000 });
      expect([name, r.status, r.stdout + r.stderr]).toEqual([name, 0, expect.stringMatching(/^healthy: /)]);
    }
    // And it fails when there is nothing to check.
    const dead = spawnSync(process.execPath, [HEALTHCHECK, 'worker', '--redis', redis.url, '--host', 'no-such-host'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(dead.status).toBe(1);
  });

  it('stops every process cleanly on SIGTERM', async () => {
    const codes = await Promise.all(
      procs.map(
        ({ child }) =>
          new Promise<number | null>((resolve) => {
            child.once('exit', (code) => resolve(code));
            child.kill('SIGTERM');
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
    // The workers deregistered on the way out.
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.zcard('tlbsim:workers')).toBe(0);
    } finally {
      client.disconnect();
    }
  }, 30_000);
});
