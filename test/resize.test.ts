/**
 * Resizing a running job and starting small (issue 14): real redis-server,
 * real worker processes (the built CLI), JobsService as the submitter. A job
 * resized 2 -> 4 and 4 -> 1 mid-run, and one that starts with `run.minShards`
 * and grows when a worker joins, all end with the in-process digest; a
 * finished job cannot be resized (CLI exit 2, HTTP 409); bad counts are
 * refused naming the field and the limit.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { buildScenario, JobEvent } from '@tlbsim/contracts';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService, JobNotActiveError, JobsService, ResizeInputError } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import { startRedis, TestRedis } from './support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(180000);

/** Lots of cross-shard traffic and violations; every vCPU migrates between VPs, so vCPUs are in flight at a resize. */
function hotScenario(extra: Record<string, unknown> = {}): SimConfig {
  return buildScenario(
    {
      name: 'hot',
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2, l1VpsPerHost: 3 },
      workload: { accessesPerVcpu: 30000 }, // resized by window 20; runningPast fails if it ends first
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000, vcpuMigrationsPerSec: 20000 },
      // The protocol under test, not the price of L0's refills: priced (costs.l0NestedFaultCycles), this churn makes
      // the run ~22,000 windows instead of ~1,700, and a resized job outlasted the tests' two-minute wait.
      costs: { l0NestedFaultCycles: 0 },
      run: { snapshotEveryWindows: 64, ...extra },
    },
    [],
  );
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let redis: TestRedis;
let workers: WorkerProcess[] = [];
let services: JobsService[] = [];
let prefixN = 0;
let expected: string;

function service(): { jobs: JobsService; prefix: string } {
  const prefix = `rs${++prefixN}`;
  const jobs = createJobsService({ redisUrl: redis.url, prefix });
  services.push(jobs);
  return { jobs, prefix };
}

function worker(prefix: string, concurrency: number): WorkerProcess {
  const w = startWorker(redis.url, ['--prefix', prefix, '--concurrency', String(concurrency)]);
  workers.push(w);
  return w;
}

/** Waits until the job has run `windows` windows (its slowest shard). */
async function runningPast(jobs: JobsService, id: string, windows: number): Promise<void> {
  await until(`job ${id} past window ${windows}`, async () => {
    const v = await jobs.get(id);
    if (v?.state === 'completed') throw new Error(`job ${id} completed before the resize: make the scenario longer`);
    return v !== null && v.state === 'running' && v.progress.windows >= windows;
  });
}

async function events(jobs: JobsService, id: string): Promise<JobEvent[]> {
  return jobs.readEvents(id, null, 0, 100000);
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  expected = (await runInProcess(hotScenario(), { shards: 1 })).digest;
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await Promise.all(services.map((s) => s.close()));
  workers = [];
  services = [];
});

afterAll(async () => {
  await redis?.stop();
});

describe('resizing a running job', () => {
  it.each([
    [2, 4],
    [4, 1],
  ])('%i -> %i shards mid-run gives the in-process digest', async (from, to) => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    worker(prefix, 2);
    await until('the workers', async () => (await jobs.workers()).length === 2);
    const job = await jobs.submit(hotScenario(), { shards: from });
    await runningPast(jobs, job.id, 20);
    const asked = await jobs.resize(job.id, to);
    expect(asked!.shards).toBe(from);
    const done = await jobs.waitFor(job.id, undefined, { timeoutMs: 120000 });
    expect(done.state).toBe('completed');
    expect(done.digest).toBe(expected);
    expect(done.shards).toBe(to);
    const report = (await jobs.result(job.id))!;
    expect(report.shards).toBe(to);
    expect(report.transport?.messagesReceived).toBe(report.transport?.messagesSent);
    const list = await events(jobs, job.id);
    const resized = list.filter((e) => e.type === 'resized');
    expect(resized.map((e) => e.shards)).toEqual([to]);
    expect(resized[0].window).toBeGreaterThan(20);
    expect(list.some((e) => e.type === 'resize-requested' && e.shards === to)).toBe(true);
    // Every shard of the new count ran after the resize, and none was taken for lost.
    const after = list.slice(list.indexOf(resized[0]));
    expect(new Set(after.filter((e) => e.type === 'shard-resumed').map((e) => e.shard))).toEqual(
      new Set(Array.from({ length: to }, (_, s) => s)),
    );
    expect(list.filter((e) => e.type === 'shard-failed')).toEqual([]);
  });

  it('a resize beyond the live slots waits for workers; resized again while it waits, it resumes from its snapshots', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    await until('the worker', async () => (await jobs.workers()).length === 1);
    const job = await jobs.submit(hotScenario(), { shards: 2 });
    await runningPast(jobs, job.id, 20);
    await jobs.resize(job.id, 4);
    const waiting = await until('the job to wait for 4 slots', async () => {
      const v = (await jobs.get(job.id))!;
      return v.state === 'waiting-for-workers' && v.shards === 4 ? v : null;
    });
    expect(waiting.slots).toMatchObject({ needed: 4, live: 2 });
    // Not running: re-partitioned from its stored snapshots at once, and it fits again.
    expect((await jobs.resize(job.id, 1))!.shards).toBe(1);
    const done = await jobs.waitFor(job.id, undefined, { timeoutMs: 120000 });
    expect([done.state, done.digest, done.shards]).toEqual(['completed', expected, 1]);
    const resized = (await events(jobs, job.id)).filter((e) => e.type === 'resized');
    expect(resized.map((e) => e.shards)).toEqual([4, 1]);
    expect(resized[1].window).toBe(resized[0].window);
  });

  it('a job with run.minShards starts with the slots there are and grows when a worker joins', async () => {
    const { jobs, prefix } = service();
    // Round-robin: the two shards share hosts and publish every window. With block placement they share none, run
    // free between sync windows (barrier-need.protocol.ts) and can finish before the second worker's process is up.
    // The digest does not depend on the placement.
    const cfg = hotScenario({ shards: 4, minShards: 2, placement: 'round-robin' });
    worker(prefix, 2);
    await until('the worker', async () => (await jobs.workers()).length === 1);
    const job = await jobs.submit(cfg);
    await runningPast(jobs, job.id, 10);
    expect((await jobs.get(job.id))!.shards).toBe(2);
    worker(prefix, 2);
    const done = await jobs.waitFor(job.id, undefined, { timeoutMs: 120000 });
    expect(done.state).toBe('completed');
    expect(done.digest).toBe(expected);
    expect(done.shards).toBe(4);
    const resized = (await events(jobs, job.id))
      .filter((e) => e.type === 'resized')
      .map((e) => [e.shards, e.window! > 0]);
    expect(resized).toEqual([
      [2, false],
      [4, true],
    ]);
  });

  it('submit --wait says when a job starts with fewer shards (run.minShards) and prints the same digest', () => {
    const { prefix } = service();
    worker(prefix, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'tlbsim-resize-')), 'hot.json');
    writeFileSync(file, JSON.stringify(hotScenario()));
    const r = spawnSync(
      process.execPath,
      [
        CLI_MAIN,
        'submit',
        file,
        '--shards',
        '2',
        '--set',
        'run.minShards=1',
        '--wait',
        '--json',
        '--progress',
        'none',
        '--wait-timeout',
        '120',
        '--redis',
        redis.url,
        '--prefix',
        prefix,
      ],
      { encoding: 'utf8', timeout: 150000 },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/job \S+ runs on 1 shard from window 0\n/);
    expect(JSON.parse(r.stdout) as { digest: string; shards: number }).toMatchObject({ digest: expected, shards: 1 });
  });
});

describe('resize refusals', () => {
  let app: NestExpressApplication;
  let jobs: JobsService;
  let prefix: string;
  let finished: string;

  beforeAll(async () => {
    ({ jobs, prefix } = service());
    services.pop(); // kept across this block's tests
    app = await createCoordinatorApp({ redisUrl: redis.url, prefix, logLevel: 'silent' });
    await app.init();
    workers.push(startWorker(redis.url, ['--prefix', prefix, '--concurrency', '1']));
    const small = buildScenario({ name: 'small', workload: { accessesPerVcpu: 2000 } }, []);
    const job = await jobs.submit(small);
    expect((await jobs.waitFor(job.id, undefined, { timeoutMs: 60000 })).state).toBe('completed');
    finished = job.id;
  });

  afterAll(async () => {
    await app?.close();
    await jobs?.close();
  });

  function tlbsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [CLI_MAIN, ...args, '--redis', redis.url, '--prefix', prefix], {
      encoding: 'utf8',
      timeout: 30000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('a finished job: JobNotActiveError, CLI exit 2, HTTP 409', async () => {
    await expect(jobs.resize(finished, 2)).rejects.toThrow(JobNotActiveError);
    const cli = tlbsim('resize', finished, '--shards', '2');
    expect(cli.status).toBe(2);
    expect(cli.stderr).toBe(`tlbsim: job ${finished} is completed: only a queued or running job can be resized\n`);
    const api = await request(app.getHttpServer()).post(`/api/jobs/${finished}/resize`).send({ shards: 2 }).expect(409);
    expect(api.body.message).toBe(`job ${finished} is completed: only a queued or running job can be resized`);
  });

  it('bad shard counts name the field and the limit; an unknown job is exit 2 and 404', async () => {
    const queued = await jobs.submit(hotScenario(), { shards: 8 }); // waits: one slot live
    // hotScenario has 2 hosts x (2 + 4 vCPUs) = 12 actors.
    await expect(jobs.resize(queued.id, 13)).rejects.toThrow(ResizeInputError);
    const cli = tlbsim('resize', queued.id, '--shards', '13');
    expect(cli.status).toBe(2);
    expect(cli.stderr).toBe(
      'tlbsim: --shards: 13 exceeds the maximum 12 (the number of actors, hosts*(2+vmsPerHost*vcpusPerVm))\n',
    );
    expect(tlbsim('resize', queued.id, '--shards', 'two').stderr).toBe(
      'tlbsim: --shards: "two" is not a positive integer\n',
    );
    const api = await request(app.getHttpServer())
      .post(`/api/jobs/${queued.id}/resize`)
      .send({ shards: 13 })
      .expect(400);
    expect(api.body.details).toEqual([expect.objectContaining({ path: 'shards', constraint: 'max', limit: 12 })]);
    const zero = await request(app.getHttpServer())
      .post(`/api/jobs/${queued.id}/resize`)
      .send({ shards: 0 })
      .expect(400);
    expect(zero.body.details).toEqual([expect.objectContaining({ path: 'shards', constraint: 'min' })]);
    expect(tlbsim('resize', 'nope', '--shards', '2')).toMatchObject({
      status: 2,
      stderr: 'tlbsim: unknown job nope\n',
    });
    await request(app.getHttpServer()).post('/api/jobs/nope/resize').send({ shards: 2 }).expect(404);
    // A queued job changes at once (and then fits the one slot).
    await until('its waiting line', async () => (await jobs.get(queued.id))!.state === 'waiting-for-workers');
    const ok = tlbsim('resize', queued.id, '--shards', '1');
    expect(ok).toMatchObject({ status: 0 });
    expect((await jobs.get(queued.id))!.shards).toBe(1);
    workers.push(startWorker(redis.url, ['--prefix', prefix, '--concurrency', '1']));
    const done = await jobs.waitFor(queued.id, undefined, { timeoutMs: 120000 });
    expect([done.state, done.digest]).toEqual(['completed', expected]);
  });
});
