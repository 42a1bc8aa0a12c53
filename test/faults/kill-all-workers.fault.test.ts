/**
 * SIGKILL to every worker of a running job at once (the simulator's
 * `crash-all`): no worker gets to snapshot or hand its shards back; their
 * BullMQ locks expire, new workers resume every shard from its latest
 * snapshot, and the job ends with the in-process digest, nothing lost or
 * delivered twice. Waits on the job's events and state, never on the clock.
 */
import type { JobEvent } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService, createRedis, decodeSnapshotChain, JobKeys } from '@tlbsim/jobs';
import { hotScenario, until } from '../support/fault.fixture';
import { startWorker } from '../support/worker-process';
import { workerFaultHarness } from '../support/worker-fault.harness';

jest.setTimeout(180000);

/** A hang guard only (the test waits on events): far above what the job needs on a loaded machine. */
const HANG_MS = 150000;

const h = workerFaultHarness();

// About 2,000 windows with a snapshot every 16: killed past window 150, every shard has a snapshot to resume from.
const cfg = hotScenario(100000);

/** The window each shard's run resumed at after `from` (the index of the first event after the kill). */
function resumedAfter(events: readonly JobEvent[], from: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of events.slice(from)) if (e.type === 'shard-resumed') out.set(e.shard, e.window ?? 0);
  return out;
}

/** Delta segments in each shard's stored snapshot chain (null: no snapshot). */
async function deltasStored(url: string, prefix: string, id: string, shards: number): Promise<(number | null)[]> {
  const redis = createRedis(url);
  try {
    const keys = new JobKeys(prefix, id);
    const raw = await Promise.all(Array.from({ length: shards }, (_, s) => redis.getBuffer(keys.snapshot(s))));
    return raw.map((b) => b && decodeSnapshotChain(b).deltas);
  } finally {
    redis.disconnect();
  }
}

describe.each(['full', 'incremental'] as const)('SIGKILL to all workers at once (run.snapshots: %s)', (mode) => {
  it('2 workers x 2 slots killed mid-run: new workers resume every shard from a snapshot; the in-process digest', async () => {
    const expected = (await runInProcess(cfg, { shards: 1 })).digest;
    const prefix = `killall-${mode}`;
    h.service = createJobsService({ redisUrl: h.redis.url, prefix });
    const jobs = h.service;
    const args = ['--prefix', prefix, '--concurrency', '2'];
    const first = [startWorker(h.redis.url, args), startWorker(h.redis.url, args)];
    h.workers.push(...first);
    const { id } = await jobs.submit({ ...cfg, run: { ...cfg.run, snapshots: mode } }, { shards: 4 });
    await until('progress past 150 windows', async () => (await jobs.get(id))!.progress.windows > 150, HANG_MS);
    await Promise.all(first.map((w) => w.kill()));
    // What the new workers resume from: whole snapshots, or chains of a full segment and its deltas.
    const deltas = await deltasStored(h.redis.url, prefix, id, 4);
    expect(deltas.every((d) => d !== null)).toBe(true);
    if (mode === 'full') expect(deltas).toEqual([0, 0, 0, 0]);
    else expect(deltas.some((d) => d! > 0)).toBe(true);
    const killedAt = (await jobs.readEvents(id, null, 0, 100000)).length;
    // Killed mid-run: neither failed nor over (else the new workers would prove nothing).
    expect((await jobs.get(id))!.state).toMatch(/^(running|waiting-for-workers|queued)$/);
    h.workers.push(startWorker(h.redis.url, args), startWorker(h.redis.url, args));
    const view = await jobs.waitFor(id, undefined, { timeoutMs: HANG_MS });
    expect({ state: view.state, error: view.error }).toEqual({ state: 'completed', error: null });
    expect(view.digest).toBe(expected);
    const report = (await jobs.result(id))!;
    expect(report.transport!.messagesSent).toBe(report.transport!.messagesReceived);
    const resumed = resumedAfter(await jobs.readEvents(id, null, 0, 100000), killedAt);
    expect([...resumed.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect([...resumed.values()].every((w) => w > 0)).toBe(true);
  });
});
