/**
 * `serve --workers N` killed by SIGKILL (no chance to clean up): its local
 * workers notice their parent is gone and exit on their own, idle or in the
 * middle of a job; the job's shards wait for other workers.
 */
import { runInProcess } from '@tlbsim/engine';
import { createJobsService } from '@tlbsim/jobs';
import { hotScenario, isRunning, startServe, until } from '../support/fault.fixture';
import { startWorker } from '../support/worker-process';
import { workerFaultHarness } from '../support/worker-fault.harness';

jest.setTimeout(120000);

const killLater: number[] = [];
const h = workerFaultHarness(() => {
  for (const pid of killLater.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

const TRIALS = [
  { name: 'idle workers', prefix: 'k0', job: false },
  { name: 'workers in the middle of a job', prefix: 'k1', job: true },
];

describe('serve --workers 2 killed by SIGKILL', () => {
  TRIALS.forEach((t) => {
    it(`${t.name}: they exit within 10 s`, async () => {
      h.service = createJobsService({ redisUrl: h.redis.url, prefix: t.prefix });
      const jobs = h.service;
      const serve = await startServe(['--redis', h.redis.url, '--prefix', t.prefix, '--workers', '2']);
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
      h.workers.push(startWorker(h.redis.url, ['--prefix', t.prefix, '--concurrency', '2']));
      const view = await jobs.waitFor(id);
      expect(view.digest).toBe((await runInProcess(cfg, { shards: 1 })).digest);
    });
  });
});
