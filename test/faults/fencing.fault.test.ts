/**
 * A worker frozen (SIGSTOP) past its shard locks (the simulator's `freeze`):
 * another worker resumes its shards; when the frozen one continues (SIGCONT)
 * its stale runs are fenced off: each hands its shard back (refused), no
 * `window-completed` of theirs lands after the resume (the job's progress
 * never goes back), and the job ends with the in-process digest. Every wait
 * is on the job's events (the lock's expiry is the other worker's
 * `shard-resumed`), never on the clock.
 */
import type { JobEvent, WindowCompletedEvent } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService } from '@tlbsim/jobs';
import { hotScenario, until } from '../support/fault.fixture';
import { startWorker } from '../support/worker-process';
import { workerFaultHarness } from '../support/worker-fault.harness';

jest.setTimeout(180000);

/** A hang guard only (the test waits on events): far above what any step needs on a loaded machine. */
const HANG_MS = 150000;

const h = workerFaultHarness(() => {
  for (const w of h.workers) w.child.kill('SIGCONT');
});

// About 3,100 windows: the resumed worker is still running the job when the frozen one continues.
const cfg = hotScenario(200000);
let expected: string;
beforeAll(async () => {
  expected = (await runInProcess(cfg, { shards: 1 })).digest;
});

/** Window-completed events of a stale run: by another worker than the one that resumed the shard, after that resume. */
function staleProgress(events: readonly JobEvent[]): WindowCompletedEvent[] {
  const owner = new Map<number, string>();
  const stale: WindowCompletedEvent[] = [];
  for (const e of events) {
    if (e.type === 'shard-resumed' || e.type === 'shard-started') owner.set(e.shard, e.worker);
    else if (e.type === 'window-completed' && owner.has(e.shard) && owner.get(e.shard) !== e.worker) stale.push(e);
  }
  return stale;
}

/** The latest window each shard's `shard-resumed` names (the resumed runs start there). */
function resumedAt(events: readonly JobEvent[]): number {
  return Math.max(...events.filter((e) => e.type === 'shard-resumed').map((e) => e.window ?? 0));
}

describe('a frozen worker past its locks', () => {
  [
    { prefix: 'f0', afterWindows: 40, aheadWindows: 0 },
    { prefix: 'f1', afterWindows: 100, aheadWindows: 200 },
  ].forEach((t) => {
    it(`frozen after ${t.afterWindows} windows, thawed ${t.aheadWindows} windows after the resume: its stale runs are superseded and append no progress; same digest`, async () => {
      h.service = createJobsService({ redisUrl: h.redis.url, prefix: t.prefix });
      const jobs = h.service;
      const args = ['--prefix', t.prefix, '--concurrency', '2'];
      const frozen = startWorker(h.redis.url, args);
      h.workers.push(frozen);
      const { id } = await jobs.submit(cfg, { shards: 2 });
      const all = (): Promise<JobEvent[]> => jobs.readEvents(id, null, 0, 100000);
      await until('progress', async () => (await jobs.get(id))!.progress.windows > t.afterWindows, HANG_MS);
      h.workers.push(startWorker(h.redis.url, args));
      await until('second worker registered', async () => (await jobs.workers()).length === 2, HANG_MS);
      frozen.child.kill('SIGSTOP');
      // The frozen worker's locks expired: the other one resumed both shards.
      const resumed = await until(
        'shards resumed by the other worker',
        async () => {
          const events = await all();
          return events.filter((e) => e.type === 'shard-resumed').length >= 2 && events;
        },
        HANG_MS,
      );
      const thawAt = resumedAt(resumed) + t.aheadWindows;
      await until(
        `progress past window ${thawAt}`,
        async () => (await jobs.get(id))!.progress.windows > thawAt,
        HANG_MS,
      );
      frozen.child.kill('SIGCONT');
      const view = await jobs.waitFor(id, undefined, { timeoutMs: HANG_MS });
      expect({ state: view.state, error: view.error }).toEqual({ state: 'completed', error: null });
      expect(view.digest).toBe(expected);
      expect(staleProgress(await all()).map((e) => `shard ${e.shard} window ${e.window} by ${e.worker}`)).toEqual([]);
      // Both stale runs came back and were fenced off: each hands its shard back, which BullMQ refuses (the other
      // worker holds it; a superseded run hands back so a shard job outlives it, simulator seed 549). A run's end is
      // one line of its worker's log.
      const ends = await until(
        'the stale runs to end',
        async () => {
          const runEnd = `shard \\d of job ${id}: \\S+|shard job ${id}\\.s\\d: not handed back`;
          const m = frozen.log().match(new RegExp(runEnd, 'g')) ?? [];
          return m.length >= 2 && m;
        },
        HANG_MS,
      );
      expect(ends.map((l) => l.replace(/\.s\d: /, ': '))).toEqual([
        `shard job ${id}: not handed back`,
        `shard job ${id}: not handed back`,
      ]);
    });
  });
});
