/**
 * Admission with backfill (issue 14, bound in docs/scaling.md): real
 * redis-server, one real worker process with 3 slots, JobsService as the
 * submitter. A small job starts while a bigger one waits, in the slot the
 * big one cannot use; a second small one never holds a slot the big one
 * needs; the big one starts as soon as the job ahead of it leaves room; a
 * job bigger than the pool no longer blocks small ones.
 */
import { existsSync } from 'fs';
import { buildScenario, JobEvent } from '@tlbsim/contracts';
import { createJobsService, JobsService } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import { startRedis, TestRedis } from './support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(240000);

function scenario(name: string, accessesPerVcpu: number): SimConfig {
  return buildScenario(
    {
      name,
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2 },
      workload: { accessesPerVcpu },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
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
let jobs: JobsService;
let worker: WorkerProcess;
const PREFIX = 'adm';

/** When the job's first shard started and when it ended (ms). */
async function span(id: string): Promise<{ start: number; end: number }> {
  const events: JobEvent[] = await jobs.readEvents(id, null, 0, 100000);
  const started = events.find((e) => e.type === 'shard-started');
  const ended = events.find((e) => e.type === 'completed');
  if (!started || !ended)
    throw new Error(`job ${id}: no start or no completion in ${events.map((e) => e.type).join(', ')}`);
  return { start: Date.parse(started.at), end: Date.parse(ended.at) };
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  jobs = createJobsService({ redisUrl: redis.url, prefix: PREFIX });
  worker = startWorker(redis.url, ['--prefix', PREFIX, '--concurrency', '3']);
  await until('the worker', async () => (await jobs.workers()).length === 1);
});

afterAll(async () => {
  await worker?.kill();
  await jobs?.close();
  await redis?.stop();
});

describe('admission with backfill', () => {
  it('a small job starts while a big one waits, within the bound; the big one is not starved', async () => {
    const a = await jobs.submit(scenario('a', 60000), { shards: 2 });
    await until('job a running', async () => (await jobs.get(a.id))!.state === 'running');
    const b = await jobs.submit(scenario('b', 20000), { shards: 2 }); // needs 2, 1 free: waits
    const c = await jobs.submit(scenario('c', 2000), { shards: 1 }); // the slot b can never use (3 - 2)
    const d = await jobs.submit(scenario('d', 2000), { shards: 1 }); // would hold a slot b needs while c runs
    // Admission runs at submit and in every worker's pass (each second): wait for it, bounded, rather than race it.
    await until('b waiting for workers', async () => (await jobs.get(b.id))!.state === 'waiting-for-workers');
    expect((await jobs.get(b.id))!.slots).toMatchObject({ needed: 2, live: 3 });
    await until('c admitted', async () => ['running', 'completed'].includes((await jobs.get(c.id))!.state));
    // d may start only once c has ended or b has started: checked on the event times below.

    for (const j of [a, b, c, d])
      expect((await jobs.waitFor(j.id, undefined, { timeoutMs: 180000 })).state).toBe('completed');
    const [sa, sb, sc, sd] = await Promise.all([a, b, c, d].map((j) => span(j.id)));
    // c overtook b (backfill) ...
    expect(sc.start).toBeLessThan(sb.start);
    // ... but the jobs younger than b never held more than the one slot b cannot use: d ran after c, or after b started.
    expect(sd.start).toBeGreaterThanOrEqual(Math.min(sc.end, sb.start));
    // b started once a left it room, not before; that the oldest job that fits goes first is admission.plan.spec's
    // (pure, no clock), not a wall-clock bound a loaded machine can miss.
    expect(sb.start).toBeGreaterThanOrEqual(sa.end);
  });

  it('a job bigger than every live worker together no longer blocks the small jobs behind it', async () => {
    const big = await jobs.submit(scenario('big', 2000), { shards: 4 });
    const small = await jobs.submit(scenario('small', 2000), { shards: 1 });
    expect((await jobs.waitFor(small.id, undefined, { timeoutMs: 60000 })).state).toBe('completed');
    const view = (await jobs.get(big.id))!;
    expect(view.state).toBe('waiting-for-workers');
    expect(view.slots).toMatchObject({ needed: 4, live: 3 });
    expect((await jobs.cancel(big.id))!.state).toBe('cancelled');
  });
});
