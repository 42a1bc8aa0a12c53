import {
  admitRun,
  afterComplete,
  afterCompletionCheck,
  afterRecheck,
  afterResizeStop,
  afterRunError,
  afterStoreError,
  SNAPSHOT_WRITE_LOST,
  afterSuperseded,
  afterWindow,
  planStart,
  progressEnd,
  replyEnd,
  WINDOW_STATE_START,
  WindowInput,
} from './shard-run.protocol';
import { afterProbe, probeDue, startWatch } from './barrier-watch.protocol';

const INPUT: WindowInput = {
  window: 0,
  allDone: false,
  nowMs: 1000,
  stopAt: -1,
  stopRequested: false,
  snapshotEveryWindows: 8,
  progressEveryMs: 250,
  shard: 1,
};

describe('shard run protocol', () => {
  it('admits a run only for the job and epoch it was queued for', () => {
    expect(admitRun({ shard: 0 }, null)).toEqual({ kind: 'end', outcome: 'job-finished' });
    expect(admitRun({ shard: 0, epoch: 0 }, { shards: 2, epoch: 1 })).toEqual({ kind: 'end', outcome: 'superseded' });
    expect(admitRun({ shard: 2 }, { shards: 2 })).toEqual({ kind: 'end', outcome: 'superseded' });
    expect(admitRun({ shard: 1, epoch: 1 }, { shards: 2, epoch: 1 })).toEqual({ kind: 'claim' });
  });

  it('plans a start: fresh, resumed, at a barrier, or stopping again for a resize', () => {
    expect(planStart({ token: '1', t0: 0, stopAt: -1 }, null)).toEqual({
      resumed: false,
      from: 'fresh',
      stopAgainAt: -1,
    });
    expect(planStart({ token: '3', t0: 1, stopAt: -1 }, { window: 9, atBarrier: false })).toEqual({
      resumed: true,
      from: 'snapshot',
      stopAgainAt: -1,
    });
    expect(planStart({ token: '3', t0: 0, stopAt: 4 }, { window: 5, atBarrier: true }).from).toBe('at-barrier');
    expect(planStart({ token: '3', t0: 0, stopAt: 4 }, { window: 5, atBarrier: false }).stopAgainAt).toBe(4);
    expect(planStart({ token: '3', t0: 0, stopAt: 4 }, { window: 4, atBarrier: false }).stopAgainAt).toBe(-1);
  });

  it('after a window: progress at most every period, checkpoints kept to three, snapshots every N windows', () => {
    let state = WINDOW_STATE_START;
    const kinds: string[][] = [];
    for (let w = 0; w < 16; w++) {
      const r = afterWindow(state, { ...INPUT, window: w, nowMs: 1000 + 100 * w });
      state = r.state;
      kinds.push(r.steps.map((s) => s.kind));
    }
    expect(kinds[0]).toEqual(['progress', 'checkpoint']);
    expect(kinds[1]).toEqual(['checkpoint']);
    expect(kinds[2]).toEqual([]);
    expect(kinds[3]).toEqual(['progress', 'checkpoint']);
    expect(kinds[7]).toEqual(['checkpoint', 'snapshot']);
    expect(kinds[15]).toEqual(['progress', 'checkpoint', 'snapshot']);
    expect(state.checkpoints).toEqual([4, 8, 16]);
    const r = afterWindow({ lastEventMs: 0, checkpoints: [1, 2, 4] }, { ...INPUT, window: 7, nowMs: 10 });
    expect(r.steps).toEqual([
      { kind: 'checkpoint', windowsDone: 8, drop: ['1:1'] },
      { kind: 'snapshot', awaited: false },
    ]);
  });

  it('ends a run: all done, a resize stop, or a stopping worker (each after a snapshot it waits for)', () => {
    expect(afterWindow(WINDOW_STATE_START, { ...INPUT, window: 2, allDone: true }).steps).toEqual([
      { kind: 'progress' },
      { kind: 'finish' },
    ]);
    expect(afterWindow({ lastEventMs: 1000, checkpoints: [] }, { ...INPUT, window: 2, stopAt: 2 }).steps).toEqual([
      { kind: 'snapshot', awaited: true },
      { kind: 'stop-for-resize', stopAt: 2 },
    ]);
    const stop = afterWindow({ lastEventMs: 1000, checkpoints: [] }, { ...INPUT, window: 2, stopRequested: true });
    expect(stop.steps).toEqual([
      { kind: 'snapshot', awaited: true },
      { kind: 'interrupt', window: 2 },
    ]);
  });

  it('maps store replies to ends of the run', () => {
    expect(replyEnd('passed')).toBeNull();
    expect(replyEnd('finished')).toBe('job-finished');
    expect(replyEnd('superseded')).toBe('superseded');
    expect(progressEnd('finished')).toBeNull();
    expect(progressEnd('superseded')).toBe('superseded');
    expect(afterComplete(2, 2)).toEqual({ kind: 'completed', finalize: true });
    expect(afterComplete(1, 2)).toEqual({ kind: 'completed', finalize: false });
    expect(afterComplete('superseded', 2)).toEqual({ kind: 'end', outcome: 'superseded' });
    expect(afterResizeStop(3, 3)).toEqual({ kind: 'resized', commit: true });
    expect(afterResizeStop(2, 3)).toEqual({ kind: 'resized', commit: false });
    expect(afterResizeStop('none', 3)).toEqual({ kind: 'recheck' });
    expect(afterResizeStop('finished', 3)).toEqual({ kind: 'end', outcome: 'job-finished' });
    // No stop under way: overtaken by a commit (epoch moved), or the store lost it (hand the shard back).
    expect(afterRecheck(admitRun({ shard: 0, epoch: 0 }, { shards: 2, epoch: 1 }))).toEqual({
      kind: 'end',
      outcome: 'superseded',
    });
    expect(afterRecheck(admitRun({ shard: 0, epoch: 1 }, { shards: 2, epoch: 1 }))).toEqual({ kind: 'interrupt' });
  });

  it('hands the shard of a superseded run back unless the job ended or moved to another layout', () => {
    // A later claim, or a claim the store forgot: either way the queue job must outlive this run (seed 549).
    expect(afterSuperseded(admitRun({ shard: 0, epoch: 1 }, { shards: 2, epoch: 1 }))).toEqual({ kind: 'hand-back' });
    expect(afterSuperseded(admitRun({ shard: 0, epoch: 0 }, { shards: 2, epoch: 1 }))).toEqual({
      kind: 'end',
      outcome: 'superseded',
    });
    expect(afterSuperseded(admitRun({ shard: 0 }, null))).toEqual({ kind: 'end', outcome: 'job-finished' });
  });

  it('lets a run that hit an error fail the job only while no later claim fenced it off', () => {
    expect(afterRunError('3', 3)).toBe('fail');
    expect(afterRunError('3', 4)).toBe('superseded');
    // The store forgot the claim in a restart: nobody else speaks for the shard.
    expect(afterRunError('3', 2)).toBe('fail');
  });

  it('hands the shard back after a lost store connection (a failover), judges every other error', () => {
    expect(afterStoreError('Command aborted due to connection close')).toBe('hand-back');
    expect(afterStoreError('Connection is closed.')).toBe('hand-back');
    expect(afterStoreError('CLUSTERDOWN The cluster is down')).toBe('hand-back');
    expect(afterStoreError('read ECONNRESET')).toBe('hand-back');
    expect(
      afterStoreError(
        `shard 1: the snapshot's staging copy was gone before it was put in place (${SNAPSHOT_WRITE_LOST})`,
      ),
    ).toBe('hand-back');
    expect(afterStoreError('ERR wrong number of arguments')).toBe('judge');
    expect(afterStoreError('barrier timeout: shard 1 made no progress')).toBe('judge');
  });

  it('lets a completed run end its queue job only if the store kept what it wrote', () => {
    // A store restart lost the partial result: the shard runs again.
    expect(afterCompletionCheck({ partial: false, finished: false }, false)).toBe('hand-back');
    expect(afterCompletionCheck({ partial: true, finished: false }, false)).toBe('completed');
    // The run built the report and the restart lost it (the partials survived): no one else would build it.
    expect(afterCompletionCheck({ partial: true, finished: false }, true)).toBe('hand-back');
    // The job finished (this run's report, or a cancel): nothing to redo.
    expect(afterCompletionCheck({ partial: false, finished: true }, true)).toBe('completed');
  });

  it('times a stuck barrier out only when the progress signature stops changing', () => {
    let w = startWatch(0);
    expect(probeDue(w, 4999, 300000)).toBe(false);
    expect(probeDue(w, 5000, 300000)).toBe(true);
    w = afterProbe(w, 5000, 'a', 300000).watch;
    w = afterProbe(w, 10000, 'b', 300000).watch;
    expect(w.sinceMs).toBe(10000);
    expect(afterProbe(w, 309999, 'b', 300000).timedOut).toBe(false);
    expect(afterProbe(w, 310000, 'b', 300000).timedOut).toBe(true);
    expect(probeDue(startWatch(0), 100, 1000)).toBe(true);
  });
});
