/**
 * `serve --workers N` killed by SIGKILL (no chance to clean up): its local
 * workers notice their parent is gone and exit on their own, idle or in the
 * middle of a job; the job's shards wait for other workers.
 */
import { existsSync } from 'fs';
import { runInProcess } from '@tlbsim/engine';
import { JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { hotScenario, isRunning, startServe, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(120000);

let redis: TestRedis;
let service: JobsService | null = null;
let workers: WorkerProcess[] = [];
const killLater: number[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined; // this process's own lines are noise here
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
});

afterEach(async () => {
  for (const pid of killLater.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await service?.close();
  service = null;
});

afterAll(async () => {
  await redis?.stop();
});

const TRIALS = [
  { name: 'idle workers', prefix: 'k0', job: false },
  { name: 'workers in the middle of a job', prefix: 'k1', job: true },
];

describe('serve --workers 2 killed by SIGKILL', () => {
  TRIALS.forEach((t) => {
    it(`${t.name}: they exit within 10 s`, async () => {
      service = new JobsService({ redisUrl: redis.url, prefix: t.prefix });
      const jobs = service;
      const serve = await startServe(['--redis', redis.url, '--prefix', t.prefix, '--workers', '2']);
      killLater.push(serve.child.pid!);
      const pids = (
        await until("serve's workers registered", async () => {
          const w = await jobs.workers();
          return w.length === 2 ? w : null;
        })
      ).map((w) => w.pid);
      killLater.push(...pids);
      const cfg = hotScenario(100000); // about 2,000 windows: serve is killed at window 20
      const id = t.job ? (await jobs.submit(cfg, { shards: 2 })).id : null;
      if (id) await until('job running', async () => (await jobs.get(id))!.progress.windows > 20);
      serve.child.kill('SIGKILL');
      const gone = await until("serve's workers gone", async () => pids.every((p) => !isRunning(p)), 10000).catch(
        () => false,
      );
      expect({ gone, running: pids.filter(isRunning) }).toEqual({ gone: true, running: [] });
      if (!id) return;
      // The workers stopped gracefully: a new one finishes the job with the in-process digest.
      workers.push(startWorker(redis.url, ['--prefix', t.prefix, '--concurrency', '2']));
      const view = await jobs.waitFor(id);
      expect(view.digest).toBe((await runInProcess(cfg, { shards: 1 })).digest);
    });
  });
});
