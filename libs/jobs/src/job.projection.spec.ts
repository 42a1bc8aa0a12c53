import type { JobEvent, JobEventEnvelope, JobEventOf, JobEventType, SeriesCounts } from '@tlbsim/contracts';
import { emptyFold, foldEvents, projectJob, viewOf } from './job.projection';
import type { JobMeta } from './job.repository';

const meta = {
  id: 'j',
  name: 'n',
  policy: 'overhaul',
  seed: 1,
  shards: 2,
  groupId: null,
  createdAt: '2024-01-01T00:00:00.000Z',
  accessesTotal: 1000,
  windowsEstimate: 10,
  config: {
    fleet: { hosts: 1, vmsPerHost: 1, vcpusPerVm: 2 },
    workload: { accessesPerVcpu: 500 },
    run: { simulatedMs: 0, windowNs: 0 },
    latency: { ipiNs: 2000, hypercallNs: 5000, kvmRequestNs: 1000 },
  },
} as unknown as JobMeta;
let n = 0;
/** An event of type `T` with `fields`, appended `sec` seconds after the job was created. */
const ev = <T extends JobEventType>(
  type: T,
  fields: Omit<JobEventOf<T>, keyof JobEventEnvelope | 'type'>,
  sec = n++,
): JobEvent =>
  ({
    id: `${sec}-0`,
    jobId: 'j',
    type,
    at: new Date(Date.parse(meta.createdAt) + sec * 1000).toISOString(),
    ...fields,
  }) as JobEvent;
const ZERO: SeriesCounts = {
  accesses: 0,
  tlbHits: 0,
  tlbMisses: 0,
  nestedWalks: 0,
  hypercalls: 0,
  shootdownMessages: 0,
  violations: 0,
};
/** A `window-completed` event of `shard` (worker `w`), its counters zero but those `f` gives. */
const win = (f: { shard: number; window: number } & Partial<SeriesCounts>): JobEvent =>
  ev('window-completed', { worker: 'w', ...ZERO, ...f });

describe('projectJob', () => {
  it('folds the lifecycle into a view with progress and per-shard state', () => {
    n = 0;
    const events = [ev('submitted', {}), ev('waiting-for-workers', { slotsNeeded: 2, slotsFree: 1 })];
    expect(projectJob(meta, events)).toMatchObject({ state: 'waiting-for-workers', slotsNeeded: 2 });
    events.push(
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 4, accesses: 300, violations: 2 }),
      win({ shard: 1, window: 2, accesses: 200, violations: 1 }),
    );
    const running = projectJob(meta, events);
    expect(running).toMatchObject({ state: 'running', violations: 3, slotsNeeded: null });
    expect(running.progress).toMatchObject({ windows: 3, accesses: 500, fraction: 0.5 });
    expect(running.progress.etaSec).toBeGreaterThan(0);
    events.push(
      ev('shard-failed', { shard: 1, worker: 'w2', error: 'lost' }),
      ev('shard-resumed', { shard: 1, window: 2, worker: 'w3' }),
    );
    expect(projectJob(meta, events).perShard[1]).toMatchObject({ state: 'running', resumes: 1, worker: 'w3' });
    // A lost reply's resend appends the same event again (its `at` included): one resume, not two.
    const resent = events[events.length - 1];
    events.push({ ...resent, id: `${n++}-0` });
    expect(projectJob(meta, events).perShard[1]).toMatchObject({ resumes: 1 });
    expect(projectJob(meta, events).perShard[1]).not.toHaveProperty('resumedAt');
    // A second resume of the same shard, later, counts.
    events.push(ev('shard-resumed', { shard: 1, window: 2, worker: 'w3' }));
    expect(projectJob(meta, events).perShard[1]).toMatchObject({ resumes: 2 });
    events.push(ev('completed', { digest: 'abc' }), ev('cancelled', {}));
    expect(projectJob(meta, events)).toMatchObject({ state: 'completed', digest: 'abc', progress: { fraction: 1 } });
  });

  it('a run that ends at run.simulatedMs: progress and ETA from its windows, not from accessesPerVcpu it never reaches', () => {
    n = 0;
    // 1e6 accesses allowed per vCPU, but the 100 windows of simulated time make about 1,000 per shard.
    const timed = {
      ...meta,
      accessesTotal: 2e6,
      windowsEstimate: 100,
      config: { ...meta.config, workload: { accessesPerVcpu: 1e6 }, run: { simulatedMs: 1, windowNs: 0 } },
    } as unknown as JobMeta;
    const events = [
      ev('submitted', {}),
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 49, accesses: 500 }),
      win({ shard: 1, window: 49, accesses: 500 }),
    ];
    const running = projectJob(timed, events);
    expect(running.progress).toMatchObject({ windows: 50, accesses: 1000, accessesTotal: 2000, fraction: 0.5 });
    // 1,000 accesses in the 3 s since the first shard started: as long again, not the 6,000 s of 2e6 accesses.
    expect(running.progress.etaSec).toBeCloseTo(3, 5);
    events.push(
      win({ shard: 0, window: 99, accesses: 1010 }),
      win({ shard: 1, window: 99, accesses: 990 }),
      ev('shard-completed', { shard: 0, window: 100, worker: 'w1' }),
      ev('shard-completed', { shard: 1, window: 100, worker: 'w2' }),
      ev('completed', { digest: 'd' }),
    );
    expect(projectJob(timed, events).progress).toMatchObject({
      accesses: 2000,
      accessesTotal: 2000,
      fraction: 1,
      etaSec: 0,
    });
  });

  it('a run slower than nominal (stalls): the windows expected follow the accesses, so shard bars agree with the job', () => {
    n = 0;
    // 1,000 accesses in all, nominally 10 windows; 5 windows in, only 100 are done: about 50 windows in all.
    const events = [
      ev('submitted', {}),
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 4, accesses: 50 }),
      win({ shard: 1, window: 4, accesses: 50 }),
    ];
    const view = projectJob(meta, events);
    expect(view.progress).toMatchObject({ windows: 5, windowsEstimate: 50, accesses: 100, fraction: 0.1 });
    expect(view.perShard[0].window / view.progress.windowsEstimate).toBeCloseTo(view.progress.fraction, 5);
  });

  it('folding in pieces gives the same view as folding everything at once', () => {
    n = 0;
    const events = [
      ev('submitted', {}),
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 1, accesses: 100, violations: 1 }),
      win({ shard: 1, window: 3, accesses: 150, violations: 0 }),
      ev('shard-completed', { shard: 0, window: 9, worker: 'w1' }),
      ev('completed', { digest: 'd' }),
    ];
    const whole = projectJob(meta, events);
    for (let cut = 0; cut <= events.length; cut++) {
      const fold = foldEvents(emptyFold(meta), events.slice(0, cut));
      const early = viewOf(meta, fold); // a view taken mid-way must not be changed by later folding
      const frozen = JSON.stringify(early);
      foldEvents(fold, events.slice(cut));
      expect(fold.lastEventId).toBe(events[events.length - 1].id);
      expect(viewOf(meta, fold)).toEqual(whole);
      expect(JSON.stringify(early)).toBe(frozen);
    }
  });

  it('carries the simulated length of a window, the time axis of the charts', () => {
    expect(projectJob(meta, []).windowNs).toBe(1000);
  });

  it('carries the overrides the job was submitted with, and none when there were none', () => {
    expect(projectJob({ ...meta, overrides: ['fleet.hosts=2', 'seed=3'] }, []).overrides).toEqual([
      'fleet.hosts=2',
      'seed=3',
    ]);
    expect(projectJob(meta, [])).not.toHaveProperty('overrides');
  });

  it('a cancelled job shows its unfinished shards stopped at their window and the windows of its partial report', () => {
    n = 0;
    const events = [
      ev('submitted', {}),
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 40, accesses: 100 }),
      win({ shard: 1, window: 39, accesses: 90 }),
      ev('shard-failed', { shard: 1, worker: 'w2', error: 'lost' }),
      ev('cancelled', { window: 32 }),
      ev('shard-resumed', { shard: 1, window: 9, worker: 'w3' }),
    ];
    const view = projectJob(meta, events);
    expect(view.state).toBe('cancelled');
    expect(view.perShard.map((s) => [s.state, s.window])).toEqual([
      ['stopped', 41],
      ['failed', 40],
    ]);
    expect(view.partialWindows).toBe(32);
    expect(projectJob(meta, events.slice(0, 5)).partialWindows).toBeNull();
  });

  it("a finished job's violations are its report's (the partial report's at its window), not the shards' last counts", () => {
    n = 0;
    const events = [
      ev('submitted', {}),
      ev('shard-started', { shard: 0, worker: 'w1', window: 0 }),
      ev('shard-started', { shard: 1, worker: 'w2', window: 0 }),
      win({ shard: 0, window: 40, violations: 300 }),
      win({ shard: 1, window: 39, violations: 217 }),
    ];
    expect(projectJob(meta, events).violations).toBe(517);
    // The partial report covers the 32 windows every shard checkpointed: fewer violations than the shards' counts.
    expect(projectJob(meta, [...events, ev('cancelled', { window: 32, violations: 472 })]).violations).toBe(472);
    expect(projectJob(meta, [...events, ev('completed', { digest: 'd', violations: 520 })]).violations).toBe(520);
    // Finished by an older build (no count on the final event): the shards' counts, as before.
    expect(projectJob(meta, [...events, ev('cancelled', { window: 32 })]).violations).toBe(517);
  });
});
