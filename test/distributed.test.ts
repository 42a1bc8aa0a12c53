/**
 * Distributed runs end to end: real redis-server, real worker processes
 * (the built CLI), JobsService as the submitter. Same digest in process, on
 * 1 worker x 2 shards, on 2 workers x 4 shards, after a worker is SIGKILLed,
 * after export/replay; admission waits for capacity; cancel cleans up.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import Redis from 'ioredis';
import { buildScenario } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService, JobsService, SHARD_QUEUE } from '@tlbsim/jobs';
import { shardNeighboursOf, type SimConfig } from '@tlbsim/sim-core';
import { startRedis, TestRedis } from './support/redis-server';
import { runBuiltCli } from './support/cli-process';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(120000);

/** Memslot updates and MMU-notifier invalidations at high rate: lots of cross-shard messages and violations. */
function hotScenario(accessesPerVcpu: number, snapshotEveryWindows = 64): SimConfig {
  return buildScenario(
    {
      name: 'hot',
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2 },
      workload: { accessesPerVcpu },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
      // The distribution under test, not the price of L0's refills: priced, this churn makes a run ~12x as long.
      costs: { l0NestedFaultCycles: 0 },
      run: { snapshotEveryWindows },
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
    await new Promise((r) => setTimeout(r, 100));
  }
}

let redis: TestRedis;
let workers: WorkerProcess[] = [];
let services: JobsService[] = [];
let prefixN = 0;

/** A service on a fresh key prefix, so tests do not see each other's jobs or workers. */
function service(retentionSec = 3600): { jobs: JobsService; prefix: string } {
  const prefix = `t${++prefixN}`;
  const jobs = createJobsService({ redisUrl: redis.url, prefix, retentionSec });
  services.push(jobs);
  return { jobs, prefix };
}

function worker(prefix: string, concurrency: number): WorkerProcess {
  const w = startWorker(redis.url, ['--prefix', prefix, '--concurrency', String(concurrency)]);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
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

describe('distributed runs', () => {
  const cfg = hotScenario(50000);
  let expected: string;

  beforeAll(async () => {
    expected = (await runInProcess(cfg, { shards: 1 })).digest;
  });

  it('1 worker x 2 shards gives the in-process digest', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    const { id } = await jobs.submit(cfg, { shards: 2 });
    const view = await jobs.waitFor(id);
    expect(view.state).toBe('completed');
    const report = (await jobs.result(id))!;
    expect(report.digest).toBe(expected);
    expect(report.shards).toBe(2);
    expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
    expect(view.progress.fraction).toBe(1);
  });

  it('2 worker processes x 4 shards via `tlbsim submit --wait --json` print the `tlbsim run --json` report', async () => {
    const { prefix } = service();
    worker(prefix, 2);
    worker(prefix, 2);
    const dir = mkdtempSync(join(tmpdir(), 'tlbsim-dist-'));
    const file = join(dir, 'hot.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'hot',
        fleet: cfg.fleet,
        workload: { accessesPerVcpu: 50000 },
        events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
        costs: cfg.costs,
      }),
    );
    const run = spawnSync(process.execPath, [CLI_MAIN, 'run', file, '--json'], { encoding: 'utf8' });
    const sub = spawnSync(
      process.execPath,
      [CLI_MAIN, 'submit', file, '--redis', redis.url, '--prefix', prefix, '--shards', '4', '--wait', '--json'],
      { encoding: 'utf8', timeout: 60000 },
    );
    expect(sub.stderr).toContain('submitted job');
    expect(sub.status).toBe(0);
    const local = JSON.parse(run.stdout);
    const remote = JSON.parse(sub.stdout);
    expect(remote.digest).toBe(local.digest);
    expect(remote.digest).toBe(expected);
    const { transport, shards, ...rest } = remote;
    expect(shards).toBe(4);
    expect(transport.messagesSent).toBe(transport.messagesReceived);
    expect(Object.keys(rest).sort()).toEqual(
      Object.keys(local)
        .filter((k) => k !== 'shards')
        .sort(),
    );
    expect(rest.metrics.accesses).toBe(local.metrics.accesses);
  });

  it('shards that share hosts (round-robin x 3) and that share none (block x 2) give the in-process digest', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 3);
    const rr = { ...cfg, run: { ...cfg.run, placement: 'round-robin' as const } };
    // Block x 2: a host whole on each shard, no neighbours; round-robin: every shard hears from every other.
    expect(shardNeighboursOf(cfg, 2).into).toEqual([[], []]);
    expect(shardNeighboursOf(rr, 3).into).toEqual([
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
    for (const [c, shards] of [
      [cfg, 2],
      [rr, 3],
    ] as const) {
      const { id } = await jobs.submit(c, { shards });
      expect((await jobs.waitFor(id)).state).toBe('completed');
      const report = (await jobs.result(id))!;
      expect({ placement: c.run.placement, shards, digest: report.digest }).toEqual({
        placement: c.run.placement,
        shards,
        digest: expected,
      });
      expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
    }
  });

  it('a SIGKILLed worker: its shards resume from snapshots elsewhere, same digest, nothing lost or applied twice', async () => {
    // About 2,000 windows: the kill at window 300 leaves most of the job to the other workers.
    const long = hotScenario(100000, 16);
    const want = (await runInProcess(long, { shards: 1 })).digest;
    const { jobs, prefix } = service();
    const victim = worker(prefix, 2);
    worker(prefix, 2);
    const { id } = await jobs.submit(long, { shards: 4 });
    await until('progress past 300 windows', async () => ((await jobs.get(id))!.progress.windows > 300 ? true : null));
    await victim.kill();
    worker(prefix, 2); // the replacement a supervisor would start
    const view = await jobs.waitFor(id);
    expect(view.state).toBe('completed');
    const report = (await jobs.result(id))!;
    expect(report.digest).toBe(want);
    expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
    const events = await jobs.readEvents(id, null, 0, 100000);
    const resumed = events.filter((e) => e.type === 'shard-resumed');
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.some((e) => (e.window ?? 0) > 0)).toBe(true);
    expect(view.perShard.reduce((a, s) => a + s.resumes, 0)).toBeGreaterThanOrEqual(2);
  });

  it('more shards than capacity: waiting-for-workers, then completes when a worker joins', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    await until('worker registered', async () => (await jobs.workers()).length === 1);
    const { id } = await jobs.submit(cfg, { shards: 4 });
    const waiting = await until('waiting-for-workers', async () => {
      const v = await jobs.get(id);
      return v?.state === 'waiting-for-workers' ? v : null;
    });
    expect(waiting.slotsNeeded).toBe(4);
    // The autoscaler's signal: the waiting job wants all 4 slots.
    expect(await jobs.slotDemand()).toEqual({ held: 0, waiting: 4, total: 4 });
    worker(prefix, 2);
    const view = await jobs.waitFor(id);
    expect(view.state).toBe('completed');
    expect(view.digest).toBe(expected);
    expect(await until('slots released', async () => ((await jobs.slotDemand()).total === 0 ? true : null))).toBe(true);
  });

  it('cancel stops running shards, keeps a partial report whose digest replay --until-window reproduces, and leaves only the result record', async () => {
    const { jobs, prefix } = service(1);
    worker(prefix, 2);
    const big = hotScenario(5000000);
    const { id } = await jobs.submit(big, { shards: 2 });
    // Past window 1024 (a checkpoint), by which this scenario has found violations (the first near window 530: a
    // freed root's page waits for latency.rootFreeNs, 1 ms, before it is reused).
    await until('running', async () => (await jobs.get(id))!.progress.windows > 1040);
    const cancelled = await jobs.cancel(id);
    expect(cancelled!.state).toBe('cancelled');
    const view = await jobs.waitFor(id);
    expect(view.state).toBe('cancelled');
    expect(view.perShard.map((s) => s.state)).toEqual(['stopped', 'stopped']);
    const partial = (await jobs.result(id))!;
    expect(partial.partial).toBe(true);
    expect(partial.metrics.windows).toBeGreaterThanOrEqual(1024);
    expect(view.partialWindows).toBe(partial.metrics.windows);
    expect(partial.stoppedAt).toEqual({ window: partial.metrics.windows, simulatedNs: partial.metrics.simulatedNs });
    expect(partial.violations.total).toBeGreaterThan(0);
    const inProcess = await runInProcess(big, { shards: 1, untilWindow: partial.metrics.windows });
    expect(inProcess.digest).toBe(partial.digest);
    expect(inProcess.violations).toEqual(partial.violations);
    const client = new Redis(redis.url);
    try {
      // The shard queue's history (TLBSIM_QUEUE_HISTORY finished shard jobs, for /queues) is the queue's, not the job's.
      const keys = await until(
        'only the result record left',
        async () => {
          const k = (await client.keys(`*${id}*`)).filter((key) => !key.includes(`:${SHARD_QUEUE}:`));
          return k.length === 1 ? k : null;
        },
        15000,
      );
      expect(keys).toEqual([`${prefix}:{job:${id}}:result`]);
      expect((await jobs.get(id))!.state).toBe('cancelled');
    } finally {
      client.disconnect();
    }
  });

  it('a job cancelled while `submit --wait` follows it: the partial report is printed (exit 3); replay refuses its export at once, or reproduces it with --until-window', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    const dir = mkdtempSync(join(tmpdir(), 'tlbsim-partial-'));
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(hotScenario(5000000)));
    const submit = runBuiltCli([
      'submit',
      file,
      '--redis',
      redis.url,
      '--prefix',
      prefix,
      '--shards',
      '2',
      '--wait',
      '--json',
      '--progress',
      'none',
    ]);
    const id = await until('submitted', async () => (await jobs.list()).items[0]?.id);
    await until('running', async () => (await jobs.get(id))!.progress.windows > 40);
    const cancel = spawnSync(process.execPath, [CLI_MAIN, 'cancel', id, '--redis', redis.url, '--prefix', prefix], {
      encoding: 'utf8',
    });
    expect(cancel.stdout).toBe(`${id} cancelled\n`);
    expect(cancel.stderr).toMatch(new RegExp(`^tlbsim: job ${id} kept a partial report of its first \\d+ windows`));
    const waited = await submit;
    expect(waited.code).toBe(3);
    expect(waited.err).toMatch(new RegExp(`job ${id} cancelled\\n.*job ${id}: partial report, its first \\d+ windows`));
    const printed = JSON.parse(waited.out);
    expect(printed).toMatchObject({ partial: true });
    // One count of violations: the job view (API, dashboard header, tlbsim jobs) shows the partial report's.
    expect((await jobs.get(id))!.violations).toBe(printed.violations.total);
    expect(printed.metrics.windows).toBeGreaterThanOrEqual(32);
    const exp = spawnSync(process.execPath, [CLI_MAIN, 'export', id, '--redis', redis.url, '--prefix', prefix], {
      encoding: 'utf8',
    });
    expect(exp.status).toBe(0);
    const exported = join(dir, 'job.ndjson');
    writeFileSync(exported, exp.stdout);
    const started = Date.now();
    const refused = spawnSync(process.execPath, [CLI_MAIN, 'replay', exported], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(Date.now() - started).toBeLessThan(10000);
    const w = printed.metrics.windows;
    expect(refused.stderr).toBe(
      `tlbsim: ${exported}: job ${id} did not complete (cancelled): its partial report covers ${w} windows: replay it with --until-window ${w}\n`,
    );
    const wrong = spawnSync(process.execPath, [CLI_MAIN, 'replay', exported, '--until-window', String(w + 1)], {
      encoding: 'utf8',
    });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`--until-window ${w + 1} has no recorded digest`);
    const rep = spawnSync(process.execPath, [CLI_MAIN, 'replay', exported, '--until-window', String(w), '--json'], {
      encoding: 'utf8',
    });
    expect(rep.stderr).toBe('');
    expect(rep.status).toBe(0);
    expect(JSON.parse(rep.stdout).digest).toBe(printed.digest);
    const human = spawnSync(process.execPath, [CLI_MAIN, 'replay', exported, '--until-window', String(w)], {
      encoding: 'utf8',
    });
    expect(human.stdout).toMatch(
      new RegExp(`\\ndigest matches the export's partial report of its first ${w} windows \\(${printed.digest}\\)\\n$`),
    );
    const trace = spawnSync(process.execPath, [CLI_MAIN, 'trace', id, '--redis', redis.url, '--prefix', prefix], {
      encoding: 'utf8',
    });
    expect(trace.status).toBe(0);
    expect(trace.stdout).toContain(`digest ${printed.digest}, partial: first ${w.toLocaleString('en-US')} windows\n`);
  });

  it('export and replay reproduce the digest; a tampered export exits 1', async () => {
    const { jobs, prefix } = service();
    worker(prefix, 2);
    const { id } = await jobs.submit(cfg, { shards: 2 });
    await jobs.waitFor(id);
    const exp = spawnSync(process.execPath, [CLI_MAIN, 'export', id, '--redis', redis.url, '--prefix', prefix], {
      encoding: 'utf8',
    });
    expect(exp.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'tlbsim-export-'));
    const file = join(dir, 'job.ndjson');
    writeFileSync(file, exp.stdout);
    const rep = spawnSync(process.execPath, [CLI_MAIN, 'replay', file, '--json'], { encoding: 'utf8' });
    expect(rep.status).toBe(0);
    expect(JSON.parse(rep.stdout).digest).toBe(expected);
    writeFileSync(file, readFileSync(file, 'utf8').split(expected).join('f'.repeat(64)));
    const bad = spawnSync(process.execPath, [CLI_MAIN, 'replay', file], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('digest mismatch');
  });
});
