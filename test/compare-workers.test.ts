/**
 * A compare's replications and its sensitivity on the workers (issue 23):
 * real redis-server, real worker processes (the built CLI). `tlbsim compare
 * --replications N --redis` runs one compare job whose points are every
 * policy on every replication seed; its digests, estimates and verdict are
 * those of the same compare in process, to the bit, and so is `--sensitivity
 * --redis` (its re-runs compare jobs too). `POST /api/compare` with
 * replications gives the same estimates.
 */
import type { INestApplication } from '@nestjs/common';
import { createCoordinatorApp, CompareView } from '@tlbsim/coordinator';
import { startRedis, TestRedis } from './support/redis-server';
import { runBuiltCli } from './support/cli-process';
import { startWorker, WorkerProcess } from './support/worker-process';
import { eventually } from './support/coordinator.fixture';

jest.setTimeout(240000);

/** A short steady-state compare: two policies, 1 ms warm-up, 2 ms measured. */
const SEED = 7;
const COMPARE = [
  'compare',
  'scenarios/steady-state-nested.yaml',
  '--policies',
  'overhaul+hv-flush-current,enlightened-tlb-off',
  '--set',
  'run.simulatedMs=3',
  '--set',
  'run.warmupMs=1',
  '--seed',
  String(SEED),
  '--json',
];

/** What `tlbsim compare --json` prints, as far as these tests read it. */
interface CompareJson {
  seeds: number[];
  timeOverheadVsFirst: number[];
  timeOverheadVsFirstCi95: (number | null)[];
  estimates: { policies: { policy: string; digests: string[] }[] };
  cheapestCorrect: string | null;
  cheapestWithoutViolation: string | null;
  sensitivity?: { parameter: string; holds: boolean; evaluations: number }[];
}

/** Runs the built CLI from the repository root and parses its JSON (failing with its stderr and the seed). */
async function compareJson(args: readonly string[]): Promise<CompareJson> {
  const run = await runBuiltCli(args);
  if (run.code !== 0) throw new Error(`tlbsim ${args.join(' ')} (seed ${SEED}) exited ${run.code}: ${run.err}`);
  return JSON.parse(run.out) as CompareJson;
}

/** In-process results by command line: the replications compare is the reference of two tests, run once per file. */
const localRuns = new Map<string, Promise<CompareJson>>();

/** {@link compareJson} in process (no `--redis`), computed once per command line. */
function localCompare(args: readonly string[]): Promise<CompareJson> {
  const key = args.join('\0');
  let run = localRuns.get(key);
  if (!run) localRuns.set(key, (run = compareJson(args)));
  return run;
}

let redis: TestRedis;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = [startWorker(redis.url), startWorker(redis.url)];
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
});

describe(`compare on the workers (seed ${SEED})`, () => {
  it('runs the replications as points of one compare job: the same digests, estimates and verdict as in process', async () => {
    const args = [...COMPARE, '--replications', '3'];
    const local = await localCompare(args);
    const distributed = await compareJson([...args, '--redis', redis.url]);
    expect(local.seeds).toHaveLength(3);
    expect(distributed.seeds).toEqual(local.seeds);
    const digests = (r: CompareJson): string[][] => r.estimates.policies.map((p) => p.digests);
    expect(digests(local).flat()).toHaveLength(6);
    expect(digests(distributed)).toEqual(digests(local));
    // Not only the digests: every figure, interval and verdict, to the bit.
    expect(distributed).toEqual(local);
    expect(local.timeOverheadVsFirstCi95[1]).not.toBeNull();
  });

  it('runs the sensitivity re-runs on the workers with the same answer as in process', async () => {
    const args = [...COMPARE, '--replications', '2', '--sensitivity'];
    const local = await compareJson(args);
    const distributed = await compareJson([...args, '--redis', redis.url]);
    expect(local.sensitivity?.length).toBeGreaterThan(0);
    expect(distributed.sensitivity).toEqual(local.sensitivity);
    expect(distributed).toEqual(local);
  });

  it('POST /api/compare with replications runs one compare job whose estimates are those of the CLI', async () => {
    const local = await localCompare([...COMPARE, '--replications', '3']);
    const app: INestApplication = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent' });
    await app.listen(0, '127.0.0.1');
    try {
      const base = await app.getUrl();
      const res = await fetch(`${base}/api/compare`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          scenarioName: 'steady-state-nested',
          policies: ['overhaul+hv-flush-current', 'enlightened-tlb-off'],
          overrides: ['run.simulatedMs=3', 'run.warmupMs=1'],
          seed: SEED,
          replications: 3,
        }),
      });
      expect(res.status).toBe(201);
      const { groupId, jobs } = (await res.json()) as { groupId: string; jobs: unknown[] };
      expect(jobs).toEqual([]);
      const view = await eventually(async () => {
        const v = (await (await fetch(`${base}/api/compare/${groupId}`)).json()) as CompareView;
        // The last point's report lands before the job's state turns to completed: wait for both.
        return v.estimates !== null && v.points?.state === 'completed' && v;
      }, 120000);
      expect(view.kind).toBe('points');
      expect(view.points).toMatchObject({ state: 'completed', done: 6, total: 6 });
      expect(view.seeds).toEqual(local.seeds);
      expect(view.estimates).toEqual(local.estimates);
      expect(view.timeOverheadVsFirst).toEqual(local.timeOverheadVsFirst);
      expect(view.timeOverheadVsFirstCi95).toEqual(local.timeOverheadVsFirstCi95);
      expect([view.cheapestCorrect, view.cheapestWithoutViolation]).toEqual([
        local.cheapestCorrect,
        local.cheapestWithoutViolation,
      ]);
    } finally {
      await app.close();
    }
  });
});
