/**
 * Stopping while Redis is down: workers (busy or idle) and `serve` exit
 * within their shutdown deadline after SIGTERM, whatever Redis does, and
 * `serve` leaves no worker behind.
 */
import { existsSync } from 'fs';
import { createJobsService, JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { exitsWithin, hotScenario, isRunning, sleep, startServe, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(120000);

let redis: TestRedis | null = null;
let workers: WorkerProcess[] = [];
let service: JobsService | null = null;
const killLater: number[] = [];

beforeAll(() => {
  RedisConnectionMonitor.log = () => undefined; // this process's own lines are noise here
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  for (const pid of killLater.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await closeService();
  await redis?.stop();
  redis = null;
});

/**
 * Closes the test's own job service. Done before Redis is killed: closed
 * while Redis is down, ioredis keeps a socket timer of 2 s that held jest
 * past the suite's end.
 */
async function closeService(): Promise<void> {
  await service?.close().catch(() => undefined);
  service = null;
}

/** Redis, a job service on it and `count` workers with 2 slots each. */
async function cluster(count: number): Promise<JobsService> {
  redis = await startRedis();
  service = createJobsService({ redisUrl: redis.url, prefix: 'down' });
  const jobs = service;
  workers = Array.from({ length: count }, () => startWorker(redis!.url, ['--prefix', 'down', '--concurrency', '2']));
  await until('workers registered', async () => (await jobs.workers()).length === count);
  return jobs;
}

/** Trials: a job running or none, and how long Redis has been gone when SIGTERM comes. */
const TRIALS = [
  { name: 'running shards, SIGTERM right after Redis died', job: true, downMs: 0 },
  { name: 'running shards, SIGTERM 1.5 s after Redis died', job: true, downMs: 1500 },
  { name: 'idle workers, SIGTERM 0.5 s after Redis died', job: false, downMs: 500 },
];

describe('stopping while Redis is down', () => {
  TRIALS.forEach((t) => {
    it(`workers: ${t.name}: exit within 12 s`, async () => {
      const jobs = await cluster(2);
      if (t.job) {
        const { id } = await jobs.submit(hotScenario(3000000), { shards: 4 });
        await until('job running', async () => (await jobs.get(id))!.progress.windows > 10);
      }
      await closeService();
      await redis!.kill();
      await sleep(t.downMs);
      for (const w of workers) w.child.kill('SIGTERM');
      const exited = await Promise.all(workers.map((w) => exitsWithin(w.child, 12000)));
      expect(exited.map((ok, i) => (ok ? 'exited' : workers[i].log().slice(-800)))).toEqual(
        workers.map(() => 'exited'),
      );
    });
  });

  it('serve --workers 2: SIGTERM while its Redis is down, serve and its workers exit within 15 s', async () => {
    const jobs = await cluster(0);
    const serve = await startServe(['--redis', redis!.url, '--prefix', 'down', '--workers', '2']);
    killLater.push(serve.child.pid!);
    const pids = (
      await until("serve's workers registered", async () => {
        const w = await jobs.workers();
        return w.length === 2 ? w : null;
      })
    ).map((w) => w.pid);
    killLater.push(...pids);
    const { id } = await jobs.submit(hotScenario(3000000), { shards: 2 });
    await until('job running', async () => (await jobs.get(id))!.progress.windows > 10);
    await closeService();
    await redis!.kill();
    await sleep(300);
    serve.child.kill('SIGTERM');
    expect((await exitsWithin(serve.child, 15000)) ? 'exited' : serve.log().slice(-2000)).toBe('exited');
    expect(pids.filter(isRunning)).toEqual([]);
  });
});
