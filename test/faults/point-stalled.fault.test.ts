/**
 * A sweep point whose worker is SIGKILLed twice mid-run: the first stall
 * puts it back on the queue (another worker runs it again), the second is
 * one more than `POINT_STALLS_MAX`, so BullMQ fails it without running it,
 * and the worker that sees that fails the sweep with one line naming the
 * point, within a bound (the sweep never stays running for a point that
 * will never end). Real redis-server, real worker processes (the built CLI).
 */
import { existsSync } from 'fs';
import { planSweep } from '@tlbsim/contracts';
import { POINT_STALLS_MAX, RedisConnectionMonitor, SweepsService } from '@tlbsim/jobs';
import { hotScenarioInput, killMidPoint, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(120000);

const PREFIX = 'stalled';
let redis: TestRedis;
let sweeps: SweepsService;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  sweeps = new SweepsService({ redisUrl: redis.url, prefix: PREFIX });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await sweeps?.close();
  await redis?.stop();
});

/** Starts a worker (2 s locks, stall checks every 1 s) on the test prefix. */
function worker(): WorkerProcess {
  const w = startWorker(redis.url, ['--prefix', PREFIX]);
  workers.push(w);
  return w;
}

describe('a point whose worker dies twice', () => {
  it('fails its sweep with one line naming the point, within 20 s of the last worker starting', async () => {
    expect(POINT_STALLS_MAX).toBe(1);
    // One point that runs far longer than the test (it is killed mid-run twice, then never run again).
    const plan = planSweep(hotScenarioInput(50_000_000), { grid: ['fleet.hosts=2'], seeds: 1 });
    const { id } = await sweeps.submit(plan);
    await killMidPoint(worker(), id);
    await killMidPoint(worker(), id); // resumed the stalled point (first stall), then killed
    expect((await sweeps.get(id))!.state).toBe('running');
    const last = worker();
    const started = Date.now();
    const failed = await until(
      `sweep ${id} to fail`,
      async () => {
        const view = await sweeps.get(id);
        return view?.state === 'failed' ? view : null;
      },
      20000,
    );
    expect(Date.now() - started).toBeLessThan(20000);
    expect(failed.error).toBe('point 0: stalled 2 times (its worker died or blocked past its lock), not run again');
    expect(failed.pointsDone).toBe(0);
    // The last worker never ran the point: BullMQ failed it on pickup, and that worker failed the sweep.
    expect(last.log()).not.toContain(`point 0 of ${id}: start`);
    expect(last.log()).toContain(`${id} failed: point 0: stalled 2 times`);
    // Nothing is left to run: the point is failed in BullMQ too.
    const view = await sweeps.waitFor(id);
    expect(view.state).toBe('failed');
  });
});
