/**
 * SIGTERM to every worker of a running job at once: each stops within 10 s
 * (a stopping shard never waits on a barrier the other stopping shards will
 * not reach), and new workers finish the job with the in-process digest.
 * Several trials stop the job at different windows and layouts.
 */
import { runInProcess } from '@tlbsim/engine';
import { createJobsService } from '@tlbsim/jobs';
import { exitsWithin, hotScenario, sleep, until } from '../support/fault.fixture';
import { startWorker } from '../support/worker-process';
import { workerFaultHarness } from '../support/worker-fault.harness';

jest.setTimeout(180000);

const h = workerFaultHarness();

// About 1,300 windows: the latest trial stops at window 330, far from the end (checked below: the job is not over).
const cfg = hotScenario(50000);
let expected: string;
beforeAll(async () => {
  expected = (await runInProcess(cfg, { shards: 1 })).digest;
});

/**
 * Trials: worker layout, the progress (windows) at which the workers get
 * SIGTERM, and the gap between two workers' signals (signals sent "at once"
 * still land a few windows apart).
 */
const TRIALS = [
  { name: '2 workers x 2 slots, early', workers: 2, concurrency: 2, afterWindows: 20, gapMs: 0 },
  { name: '4 workers x 1 slot, mid-run', workers: 4, concurrency: 1, afterWindows: 150, gapMs: 15 },
  { name: '2 workers x 2 slots, late', workers: 2, concurrency: 2, afterWindows: 330, gapMs: 60 },
];

describe('SIGTERM to all workers at once', () => {
  TRIALS.forEach((t, i) => {
    it(`${t.name}: all exit within 10 s; new workers finish with the in-process digest`, async () => {
      const prefix = `stop${i}`;
      h.service = createJobsService({ redisUrl: h.redis.url, prefix });
      const jobs = h.service;
      const args = ['--prefix', prefix, '--concurrency', String(t.concurrency)];
      const first = Array.from({ length: t.workers }, () => startWorker(h.redis.url, args));
      h.workers.push(...first);
      const { id } = await jobs.submit(cfg, { shards: 4 });
      await until(
        `progress past ${t.afterWindows} windows`,
        async () => (await jobs.get(id))!.progress.windows > t.afterWindows,
        60000,
      );
      for (const w of first) {
        w.child.kill('SIGTERM');
        if (t.gapMs) await sleep(t.gapMs);
      }
      const exited = await Promise.all(first.map((w) => exitsWithin(w.child, 10000)));
      const stuck = first.filter((_, k) => !exited[k]);
      expect({ stuck: stuck.length, logs: stuck.map((w) => w.log().slice(-1500)) }).toEqual({ stuck: 0, logs: [] });
      // Stopped mid-run: neither failed nor already over (else the new workers would prove nothing).
      expect((await jobs.get(id))!.state).toMatch(/^(running|waiting-for-workers|queued)$/);
      h.workers.push(...Array.from({ length: t.workers }, () => startWorker(h.redis.url, args)));
      const view = await jobs.waitFor(id);
      expect(view.state).toBe('completed');
      expect(view.digest).toBe(expected);
      const report = (await jobs.result(id))!;
      expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
    });
  });
});
