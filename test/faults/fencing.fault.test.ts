/**
 * A worker frozen (SIGSTOP) past its shard locks: another worker resumes its
 * shards; when the frozen one continues (SIGCONT) its stale runs are fenced
 * off: no `window-completed` of theirs lands after the resume (the job's
 * progress never goes back), and the job ends with the in-process digest.
 */
import { existsSync } from 'fs';
import type { JobEvent, WindowCompletedEvent } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { hotScenario, sleep, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(120000);

let redis: TestRedis;
let workers: WorkerProcess[] = [];
let service: JobsService | null = null;

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
});

afterEach(async () => {
  for (const w of workers) w.child.kill('SIGCONT');
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await service?.close();
  service = null;
});

afterAll(async () => {
  await redis?.stop();
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

describe('a frozen worker past its locks', () => {
  [
    { prefix: 'f0', frozenMs: 3500, afterWindows: 40 },
    { prefix: 'f1', frozenMs: 5000, afterWindows: 100 },
  ].forEach((t) => {
    it(`frozen ${t.frozenMs} ms after ${t.afterWindows} windows: its stale runs append no progress; same digest`, async () => {
      service = new JobsService({ redisUrl: redis.url, prefix: t.prefix });
      const jobs = service;
      const args = ['--prefix', t.prefix, '--concurrency', '2'];
      const frozen = startWorker(redis.url, args);
      workers.push(frozen);
      const { id } = await jobs.submit(cfg, { shards: 2 });
      await until('progress', async () => (await jobs.get(id))!.progress.windows > t.afterWindows, 60000);
      workers.push(startWorker(redis.url, args));
      await until('second worker registered', async () => (await jobs.workers()).length === 2);
      frozen.child.kill('SIGSTOP');
      await until(
        'shards resumed by the other worker',
        async () => (await jobs.readEvents(id, null, 0, 100000)).filter((e) => e.type === 'shard-resumed').length >= 2,
        30000,
      );
      await sleep(t.frozenMs - 3000);
      frozen.child.kill('SIGCONT');
      const view = await jobs.waitFor(id);
      expect(view.state).toBe('completed');
      expect(view.digest).toBe(expected);
      expect(
        staleProgress(await jobs.readEvents(id, null, 0, 100000)).map(
          (e) => `shard ${e.shard} window ${e.window} by ${e.worker}`,
        ),
      ).toEqual([]);
    });
  });
});
