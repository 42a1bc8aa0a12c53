/**
 * tlbsim on a real Redis Cluster: three cluster-enabled redis-server masters
 * (no replicas) on free ports, real worker processes and the built CLI.
 * - `submit --redis-cluster ... --wait` on two workers gives the in-process
 *   digest; `workers`, `trace`, `export` (then `replay`), `sweep`, `cancel` and the
 *   worker health check (deploy/healthcheck.js) work through the cluster; tlbsim's keys are spread over the masters (jobs on their own
 *   slots, the global keys and BullMQ's on the `{prefix}` tag);
 * - `serve --redis-cluster ... --workers 1`: /health, /queues, a job through
 *   the API to completion, SIGTERM exits in time;
 * - a master killed mid-job (SIGKILL, no replica to take over): `submit
 *   --wait` says so in one line and exits 3, and the workers stop within
 *   their bound: nothing hangs;
 * - with a replica per master (a cluster of its own), the same kill is a
 *   failover of a few seconds: the job completes with the in-process digest.
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Cluster } from 'ioredis';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService, JobsService, parseClusterUrl, RedisConnectionMonitor } from '@tlbsim/jobs';
import { exitsWithin, hotScenario, hotScenarioInput, startServe, until } from './support/fault.fixture';
import { LocalRedisCluster, startRedisCluster } from './support/redis-cluster';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(240000);

let cluster: LocalRedisCluster | null = null;
let workers: WorkerProcess[] = [];
let services: JobsService[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-cluster-test-'));
let hotDigest: Promise<string> | undefined;

/** The in-process digest of `hotScenario(50000)`, the reference of two tests: run once per file. */
function hotDigestInProcess(): Promise<string> {
  hotDigest ??= runInProcess(hotScenario(50000), { shards: 1 }).then((r) => r.digest);
  return hotDigest;
}

/** Runs the built CLI to its end (bounded); its exit code and output. */
function cli(args: string[], timeoutMs = 60000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `tlbsim submit <file> --redis-cluster <url> --wait --json ...`, resolving with its outcome within `timeoutMs`. */
function submitWait(file: string, prefix: string, shards: number, timeoutMs: number) {
  const child = spawn(
    process.execPath,
    [
      CLI_MAIN,
      'submit',
      file,
      '--redis-cluster',
      cluster!.url,
      '--prefix',
      prefix,
      '--shards',
      String(shards),
      '--wait',
      '--json',
      '--progress',
      'none',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = exitsWithin(child, timeoutMs).then((exited) => {
    if (!exited) child.kill('SIGKILL');
    return { exited, code: child.exitCode, out, err };
  });
  return { done, err: () => err };
}

function service(prefix: string): JobsService {
  const s = createJobsService({ redisUrl: cluster!.url, prefix });
  services.push(s);
  return s;
}

/** Closes `s` within 3 s whatever the cluster's state (a lost master must not keep the suite waiting). */
async function closeWithin(s: JobsService): Promise<void> {
  await Promise.race([s.close().catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
}

/**
 * Closes the test's own service while the cluster is whole, before a master
 * is killed: closed after, its connections' timers outlived the suite.
 */
async function closeBeforeKill(s: JobsService): Promise<void> {
  services = services.filter((x) => x !== s);
  await s.close();
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  // This process's own line per Redis state change is noise here; the CLI's lines are checked.
  RedisConnectionMonitor.log = () => undefined;
  cluster = await startRedisCluster(3, 1000);
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await Promise.all(services.map(closeWithin));
  services = [];
});

afterAll(async () => {
  await cluster?.stop(1000);
});

describe('Redis Cluster (three masters, no replicas)', () => {
  it('a job on two workers through --redis-cluster: the in-process digest; workers, trace, export/replay, sweep and cancel work', async () => {
    const prefix = 'c1';
    workers.push(
      startWorker(cluster!.url, ['--prefix', prefix, '--concurrency', '2']),
      startWorker(cluster!.url, ['--prefix', prefix, '--concurrency', '2']),
    );
    const jobs = service(prefix);
    await until('two live workers', async () => (await jobs.workers()).length === 2, 30000);
    const probe = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', 'deploy', 'healthcheck.js'),
        'worker',
        '--redis-cluster',
        cluster!.url,
        '--prefix',
        prefix,
      ],
      { encoding: 'utf8', timeout: 10000 },
    );
    expect({ code: probe.status, out: probe.stdout }).toEqual({
      code: 0,
      out: expect.stringMatching(/^healthy: worker /),
    });
    const listed = cli([
      'workers',
      '--redis-cluster',
      cluster!.url.replace('redis-cluster://', ''),
      '--prefix',
      prefix,
      '--json',
    ]);
    expect({ code: listed.code, workers: (JSON.parse(listed.out) as { workers: unknown[] }).workers.length }).toEqual({
      code: 0,
      workers: 2,
    });

    const file = join(dir, 'hot.json');
    writeFileSync(file, JSON.stringify(hotScenarioInput(50000)));
    const r = await submitWait(file, prefix, 4, 120000).done;
    expect({ code: r.code, err: r.code === 0 ? '' : r.err.slice(-1500) }).toEqual({ code: 0, err: '' });
    const expected = await hotDigestInProcess();
    const report = JSON.parse(r.out) as { digest: string; jobId?: string };
    expect(report.digest).toBe(expected);

    // Keys: the job's on its own `{job:<id>}` slot, the global and BullMQ keys on the `{c1}` tag; both kinds exist.
    const id = /submitted job (\S+)/.exec(r.err)![1];
    const view = await jobs.get(id);
    expect(view?.state).toBe('completed');
    const client = new Cluster(parseClusterUrl(cluster!.url).seeds);
    try {
      expect(await client.exists(`${prefix}:{job:${id}}:result`)).toBe(1);
      expect(await client.zscore(`{${prefix}}:jobs`, id)).not.toBeNull();
      expect(await client.exists(`{${prefix}}:bull:tlbsim-shards:meta`)).toBe(1);
      expect(await client.exists(`${prefix}:bull:tlbsim-shards:meta`)).toBe(0);
    } finally {
      client.disconnect();
    }

    const traced = cli(['trace', id, '--redis-cluster', cluster!.url, '--prefix', prefix]);
    expect({ code: traced.code, err: traced.err }).toEqual({ code: 0, err: '' });
    expect(traced.out).toContain(`digest ${expected}`);
    const exported = cli(['export', id, '--redis-cluster', cluster!.url, '--prefix', prefix]);
    expect(exported.code).toBe(0);
    const exportFile = join(dir, 'job.ndjson');
    writeFileSync(exportFile, exported.out);
    const replayed = cli(['replay', exportFile, '--json'], 120000);
    expect({ code: replayed.code, digest: (JSON.parse(replayed.out) as { digest: string }).digest }).toEqual({
      code: 0,
      digest: expected,
    });

    // A sweep's points run on the same workers through the cluster: the same rows as in process.
    const sweep = [
      'sweep',
      join(__dirname, '..', 'scenarios', 'hyperv-svm-root-reuse.yaml'),
      '--grid',
      'fleet.vcpusPerVm=1,2',
      '--policies',
      'overhaul',
      '--set',
      'workload.accessesPerVcpu=20000',
      '--set',
      'fleet.hosts=1',
      '--json',
    ];
    const local = cli(sweep, 120000);
    const remote = cli([...sweep, '--redis-cluster', cluster!.url, '--prefix', prefix], 120000);
    expect({ code: remote.code, err: remote.err }).toEqual({
      code: 0,
      err: expect.stringMatching(/submitted sweep s-/),
    });
    const localRows = (JSON.parse(local.out) as { rows: unknown[] }).rows;
    expect({ code: local.code, rows: localRows.length }).toEqual({ code: 0, rows: 2 });
    expect((JSON.parse(remote.out) as { rows: unknown[] }).rows).toEqual(localRows);

    const { id: long } = await jobs.submit(hotScenario(3000000), { shards: 2 });
    await until('the long job running', async () => (await jobs.get(long))!.progress.windows > 2, 60000);
    const cancelled = cli(['cancel', long, '--redis-cluster', cluster!.url, '--prefix', prefix]);
    expect(cancelled.code).toBe(0);
    expect(
      (
        await until(
          'the long job cancelled',
          async () => {
            const v = await jobs.get(long);
            return v?.state === 'cancelled' && v;
          },
          30000,
        )
      ).state,
    ).toBe('cancelled');
  });

  it('bad flags and an unreachable cluster: one line each, exit 2 and 3 after the 4 attempts', () => {
    const both = cli(['cancel', 'x', '--redis', 'redis://127.0.0.1:1', '--redis-cluster', '127.0.0.1:2']);
    expect({ code: both.code, lines: both.err.trim().split('\n') }).toEqual({
      code: 2,
      lines: [expect.stringContaining('--redis and --redis-cluster exclude each other')],
    });
    const malformed = cli(['workers', '--redis-cluster', '127.0.0.1']);
    expect({ code: malformed.code, lines: malformed.err.trim().split('\n') }).toEqual({
      code: 2,
      lines: [expect.stringContaining('--redis-cluster: expected host:port')],
    });
    // It gives up after its bounded retries (the line counts them), not after a wall-clock bound.
    const gone = cli(['workers', '--redis-cluster', '127.0.0.1:1,127.0.0.1:2'], 30000);
    expect({ code: gone.code, lines: gone.err.trim().split('\n') }).toEqual({
      code: 3,
      lines: [
        expect.stringMatching(
          /^tlbsim: cannot reach Redis at redis-cluster:\/\/127\.0\.0\.1:1,127\.0\.0\.1:2: .*ECONNREFUSED.* \(4 attempts\)$/,
        ),
      ],
    });
  });

  it('serve --redis-cluster with a local worker: /health up, /queues, a job through the API completes, SIGTERM exits within 10 s', async () => {
    const serve = await startServe([
      '--redis-cluster',
      cluster!.url.replace('redis-cluster://', ''),
      '--prefix',
      'c3',
      '--workers',
      '1',
    ]);
    try {
      const health = await until(
        '/health up with a live worker',
        async () => {
          const body = (await (await fetch(`${serve.url}/health`)).json()) as {
            status: string;
            info?: { workers?: { live: number } };
          };
          return body.status === 'ok' && (body.info?.workers?.live ?? 0) >= 1 && body;
        },
        30000,
      );
      expect(health.status).toBe('ok');
      expect((await fetch(`${serve.url}/queues`)).status).toBe(200);
      const res = await fetch(`${serve.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: hotScenarioInput(20000), shards: 1 }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const done = await until(
        'the API job finished',
        async () => {
          const v = (await (await fetch(`${serve.url}/api/jobs/${id}`)).json()) as { state: string; digest?: string };
          return ['completed', 'failed', 'cancelled'].includes(v.state) && v;
        },
        60000,
      );
      expect(done.state).toBe('completed');
    } finally {
      serve.child.kill('SIGTERM');
      expect(await exitsWithin(serve.child, 10000)).toBe(true);
    }
  });

  it('a master killed mid-job: submit --wait says so in one line and exits 3; the workers stop within their bound', async () => {
    const prefix = 'c2';
    workers.push(
      startWorker(cluster!.url, ['--prefix', prefix, '--concurrency', '2']),
      startWorker(cluster!.url, ['--prefix', prefix, '--concurrency', '2']),
    );
    const jobs = service(prefix);
    const file = join(dir, 'long.json');
    writeFileSync(file, JSON.stringify(hotScenarioInput(3000000)));
    const sub = submitWait(file, prefix, 4, 90000);
    const id = await until('job submitted', async () => /submitted job (\S+)/.exec(sub.err())?.[1], 30000);
    await until('job past 5 windows', async () => (await jobs.get(id))!.progress.windows > 5, 60000);
    await closeBeforeKill(jobs);

    const port = await cluster!.ownerOf(`${prefix}:{job:${id}}:meta`);
    await cluster!.nodes.find((n) => n.port === port)!.stop(0);

    // submitWait's own timeout only guards against a hang: what counts is the exit 3 and its line.
    const r = await sub.done;
    expect({ exited: r.exited, code: r.code }).toEqual({ exited: true, code: 3 });
    // The last line says why; before it at most the process's one line when the cluster went (as with one Redis).
    const lines = r.err
      .trim()
      .split('\n')
      .filter((l) => !/^tlbsim: (submitted job|job \S+ waiting for workers)/.test(l));
    expect(lines[lines.length - 1]).toMatch(
      /^tlbsim: cannot reach Redis at redis-cluster:\/\/\S+: (CLUSTERDOWN|.*ECONNREFUSED|Connection is closed)/,
    );
    expect(lines.slice(0, -1).filter((l) => !/is unreachable \(.*\); retrying$/.test(l))).toEqual([]);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(r.err).not.toMatch(/^\s+at /m);

    await Promise.all(
      workers.map(async (w) => {
        w.child.kill('SIGTERM');
        expect(await exitsWithin(w.child, 20000)).toBe(true);
      }),
    );
    for (const w of workers) {
      // One line when the cluster went, then the stop without the goodbyes it can no longer take.
      expect(w.log()).not.toContain('Unhandled error event');
      expect(w.log().match(/is unreachable \(/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(w.log()).toMatch(/Redis is unreachable; exiting without a graceful stop|stopped/);
    }
  });
});

describe('Redis Cluster with a replica per master', () => {
  let replicated: LocalRedisCluster | null = null;

  beforeAll(async () => {
    replicated = await startRedisCluster(3, 1000, 1);
  });

  afterAll(async () => {
    await replicated?.stop(1000);
  });

  it('a master killed mid-job: its replica takes over and submit --wait prints the in-process digest', async () => {
    const prefix = 'r1';
    const url = replicated!.url;
    workers.push(
      startWorker(url, ['--prefix', prefix, '--concurrency', '2']),
      startWorker(url, ['--prefix', prefix, '--concurrency', '2']),
    );
    const jobs = createJobsService({ redisUrl: url, prefix });
    services.push(jobs);
    await until('two live workers', async () => (await jobs.workers()).length === 2, 30000);
    const file = join(dir, 'failover.json');
    // About 1,300 windows: the master is killed after window 5, the failover takes a few seconds.
    writeFileSync(file, JSON.stringify(hotScenarioInput(50000)));
    const child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        'submit',
        file,
        '--redis-cluster',
        url,
        '--prefix',
        prefix,
        '--shards',
        '4',
        '--wait',
        '--json',
        '--progress',
        'none',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const id = await until('job submitted', async () => /submitted job (\S+)/.exec(err)?.[1], 30000);
    await until('job past 5 windows', async () => (await jobs.get(id))!.progress.windows > 5, 60000);
    await closeBeforeKill(jobs);
    const port = await replicated!.ownerOf(`${prefix}:{job:${id}}:meta`);
    await replicated!.nodes.find((n) => n.port === port)!.stop(0);

    const exited = await exitsWithin(child, 90000);
    if (!exited) child.kill('SIGKILL');
    expect({ exited, code: child.exitCode, err: child.exitCode === 0 ? '' : err.slice(-1500) }).toEqual({
      exited: true,
      code: 0,
      err: '',
    });
    expect((JSON.parse(out) as { digest: string }).digest).toBe(await hotDigestInProcess());
    expect(await replicated!.ownerOf(`${prefix}:{job:${id}}:meta`)).not.toBe(port);
    for (const w of workers) expect(w.log()).not.toContain('Unhandled error event');
  });
});
