/**
 * The hunt and shrink counterparts of point-stalled.fault.test.ts: a point
 * of a hunt or a shrink runs on the same point queue as a sweep's, so a
 * point whose worker is SIGKILLed twice must fail its hunt or shrink the
 * same way: the first stall puts it back on the queue (another worker runs
 * it again), the second is one more than `POINT_STALLS_MAX`, so BullMQ
 * fails it without running it, and the worker that sees that fails the
 * search with one line naming the point, within a bound, with a final
 * `failed` event (what `tlbsim hunt|shrink --redis` follows), and no next
 * batch. Real redis-server, real worker processes (the built CLI).
 */
import { existsSync } from 'fs';
import type { SweepEvent } from '@tlbsim/contracts';
import type { HuntRequest, ShrinkRequest } from '@tlbsim/engine';
import {
  POINT_STALLS_MAX,
  RedisConnectionMonitor,
  SearchKind,
  sweepPointJobId,
  SweepQueueRepository,
  SweepsService,
} from '@tlbsim/jobs';
import { hotScenarioInput, killMidPoint, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(60000);

/** No violation with the fixed policy: the one point runs far longer than the test (50 million accesses per vCPU). */
const INPUT = hotScenarioInput(50_000_000);
const OVERRIDES = ['kvm.policy=overhaul+hv-flush-current'];

/** A search whose first batch is one long point: a hunt with a budget of one run, a shrink's first run. */
const REQUESTS: Record<SearchKind, HuntRequest | ShrinkRequest> = {
  hunt: { input: INPUT, overrides: OVERRIDES, vary: [], budgetRuns: 1, seed: 7 },
  shrink: { input: INPUT, overrides: OVERRIDES, seeds: 0 },
};

let redis: TestRedis;
/** Per search kind, on a prefix of its own: a worker left from one test never takes the other's points. */
const services = new Map<SearchKind, SweepsService>();
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
});

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.close()));
  await redis?.stop();
});

/** The prefix of the tests of `kind`. */
function prefixOf(kind: SearchKind): string {
  return `stalled-${kind}`;
}

/** Starts a worker (2 s locks, stall checks every 1 s) on `prefix`. */
function worker(prefix: string): WorkerProcess {
  const w = startWorker(redis.url, ['--prefix', prefix]);
  workers.push(w);
  return w;
}

/** The events `follow` delivers until it returns, or an error after `timeoutMs` (it must not wait forever). */
async function followWithin(sweeps: SweepsService, id: string, timeoutMs: number): Promise<SweepEvent[]> {
  const events: SweepEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`follow(${id}) still waiting after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sweeps.follow(id, (e) => events.push(e), 200), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe.each<SearchKind>(['hunt', 'shrink'])('a %s point whose worker dies twice', (kind) => {
  it(`fails its ${kind} with one line naming the point, within 20 s of the last worker starting`, async () => {
    expect(POINT_STALLS_MAX).toBe(1);
    const prefix = prefixOf(kind);
    const sweeps = new SweepsService({ redisUrl: redis.url, prefix });
    services.set(kind, sweeps);
    const { id, points } = await sweeps.submitSearch(kind, REQUESTS[kind], `${kind}: hot`);
    expect(points).toBe(1);
    const first = worker(prefix);
    await killMidPoint(first, id);
    const second = worker(prefix);
    await killMidPoint(second, id); // resumed the stalled point (first stall), then killed
    expect((await sweeps.getSearch(kind, id))!.state).toBe('running');
    const last = worker(prefix);
    const started = Date.now();
    const failed = await until(
      `${kind} ${id} to fail`,
      async () => {
        const view = await sweeps.getSearch(kind, id);
        return view?.state === 'failed' ? view : null;
      },
      20000,
    );
    expect(Date.now() - started).toBeLessThan(20000);
    expect(failed.error).toBe('point 0: stalled 2 times (its worker died or blocked past its lock), not run again');
    expect(failed.pointsDone).toBe(0);
    expect(failed.result).toBeNull();
    expect(failed.errors).toBeNull();
    // The last worker never ran the point: BullMQ failed it on pickup, and that worker failed the search.
    expect(last.log()).not.toContain(`point 0 of ${id}: start`);
    expect(last.log()).toContain(`${id} failed: point 0: stalled 2 times`);
    // What `tlbsim hunt|shrink --redis` follows ends, with one final event carrying the same line.
    const events = await followWithin(sweeps, id, 5000);
    const finals = events.filter((e) => e.type !== 'progress');
    expect(finals.map((e) => [e.type, e.error])).toEqual([['failed', failed.error]]);
    expect(events.at(-1)).toBe(finals[0]);
    // Nothing is left to run: the point is failed in BullMQ, no next batch was asked for, and it stays so.
    const queue = new SweepQueueRepository(redis.url, prefix, 60);
    try {
      expect(await queue.queue.getJobState(sweepPointJobId(id, 0))).toBe('failed');
      expect(await queue.queue.getWaitingCount()).toBe(0);
      expect(await queue.queue.getActiveCount()).toBe(0);
    } finally {
      await queue.close();
    }
    await new Promise((r) => setTimeout(r, 2500)); // more than a lock and two stall checks
    const after = await sweeps.getSearch(kind, id);
    expect([after!.state, after!.points, after!.pointsDone]).toEqual(['failed', 1, 0]);
    expect(last.log()).not.toContain(`point 0 of ${id}: start`);
    const starts = [first, second, last].map((w) => w.log().split(`point 0 of ${id}: start`).length - 1);
    expect(starts).toEqual([1, 1, 0]);
  });
});
