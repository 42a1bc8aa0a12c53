/**
 * Lost, duplicated and delayed store replies on a real network (the
 * simulator's `lost-reply`, `duplicate` and `delay`): the worker processes
 * reach Redis through a proxy (test/support/flaky-link.proxy.ts) that, on a
 * seeded schedule, holds replies back for up to 300 ms and a few times drops
 * a reply and cuts the connection. Redis has executed the command; ioredis
 * reconnects and re-sends what had no reply, so the write is applied twice.
 * The submitter and this test talk to Redis directly. The job completes with
 * the in-process digest, every message delivered once: a publish applied
 * twice is not written again (publish.lua), and a cut that leaves a pipeline
 * half answered ("Command aborted due to connection close") hands the shard
 * back to resume from its snapshot (afterStoreError). A lost reply to an
 * event append appends that event twice (seen: `window-completed`, which the
 * job's view applies idempotently). Waits on the job's events and state,
 * never on the clock.
 *
 * `FLAKY_LINK_SEED=N npx jest test/faults/flaky-link.fault.test.ts` runs
 * another schedule (the default is fixed); the seed and what the proxy did
 * are printed, and head a failure's message.
 */
import { join } from 'path';
import type { JobEvent } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService } from '@tlbsim/jobs';
import { hotScenario } from '../support/fault.fixture';
import { FlakyLink, scriptNamesIn, startFlakyLink } from '../support/flaky-link.proxy';
import { startWorker } from '../support/worker-process';
import { workerFaultHarness } from '../support/worker-fault.harness';

jest.setTimeout(150000);

/** A hang guard only (the test waits on events): far above what the job needs on a loaded machine. */
const HANG_MS = 120000;

const SEED = Number(process.env.FLAKY_LINK_SEED ?? 26);

const h = workerFaultHarness();
let link: FlakyLink | null = null;

afterEach(async () => {
  await link?.stop();
  link = null;
});

// About 350 windows on 4 shards (a snapshot every 16): some 8,000 replies, over which the faults are spread.
const cfg = hotScenario(10000);

/** tlbsim's Lua scripts by SHA-1, so the proxy names them (BullMQ's stay `EVALSHA` or `EVAL`). */
const SCRIPTS = scriptNamesIn(join(__dirname, '..', '..', 'libs', 'jobs', 'src', 'lua'));
const PROTOCOL_SCRIPTS = new Set(SCRIPTS.values());
/** What a cut drops the reply of: writes (tlbsim's scripts, BullMQ's, plain ones), so a resend applies one twice. */
const WRITES = new Set([...PROTOCOL_SCRIPTS, 'EVALSHA', 'EVAL', 'SET', 'XADD', 'HSET', 'DEL', 'EXEC']);

/** Runs `body`; a failure's message starts with the proxy's seed and what it did. */
async function namingTheSeed(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof Error && link) e.message = `${link.summary()}\n${e.message}`;
    throw e;
  } finally {
    if (link) console.log(link.summary());
  }
}

describe('a flaky link between the workers and Redis', () => {
  it('lost replies (re-sent: applied twice) and delayed replies: the job completes with the in-process digest', () =>
    namingTheSeed(async () => {
      console.log(`flaky link seed ${SEED}`); // before anything can hang
      const expected = (await runInProcess(cfg, { shards: 1 })).digest;
      link = await startFlakyLink(h.redis.port, {
        seed: SEED,
        maxCuts: 6,
        maxDelays: 40,
        minGap: 600,
        gapSpread: 800,
        scripts: SCRIPTS,
        cutOn: (label) => WRITES.has(label),
      });
      h.service = createJobsService({ redisUrl: h.redis.url, prefix: 'flaky' });
      const args = ['--prefix', 'flaky', '--concurrency', '2'];
      h.workers.push(startWorker(link.url, args), startWorker(link.url, args));
      const { id } = await h.service.submit(cfg, { shards: 4 });
      const view = await h.service.waitFor(id, undefined, { timeoutMs: HANG_MS });
      expect({ state: view.state, error: view.error }).toEqual({ state: 'completed', error: null });
      expect(view.digest).toBe(expected);
      const report = (await h.service.result(id))!;
      expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
      const events: JobEvent[] = await h.service.readEvents(id, null, 0, 100000);
      expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
      // A cut mid-pipeline hands the shard back (afterStoreError); its next run notes it and resumes. Nothing else fails.
      const failed = events.flatMap((e) => (e.type === 'shard-failed' ? [e.error] : []));
      expect(failed.filter((e) => !/^previous run of the shard was lost .*; resuming$/.test(e))).toEqual([]);
      // The faults happened: writes executed and their replies lost, some of tlbsim's own re-sent (applied twice),
      // replies held back; the cuts spread past the first third of the run's replies.
      const { cuts, delays, resent, unreadable, replies } = link.stats;
      expect(unreadable).toEqual([]);
      expect(cuts.length).toBeGreaterThanOrEqual(4);
      expect(cuts.every((c) => WRITES.has(c.label))).toBe(true);
      expect(resent.filter((l) => PROTOCOL_SCRIPTS.has(l)).length).toBeGreaterThan(0);
      expect(delays).toBeGreaterThanOrEqual(10);
      expect(cuts[cuts.length - 1].reply).toBeGreaterThan(replies / 3);
    }));
});
