import { afterWindow, WINDOW_STATE_START, WindowInput } from './shard-run.protocol';
import { snapshotReplyCheck } from './snapshot-write.protocol';

const INPUT: WindowInput = {
  window: 7,
  allDone: false,
  nowMs: 0,
  stopAt: -1,
  stopRequested: false,
  snapshotEveryWindows: 8,
  progressEveryMs: 250,
  shard: 0,
};

describe('snapshot write protocol', () => {
  it('sends the periodic snapshot without waiting, waits for a snapshot that ends the run', () => {
    const snapshotOf = (input: WindowInput) =>
      afterWindow(WINDOW_STATE_START, input).steps.find((s) => s.kind === 'snapshot');
    expect(snapshotOf(INPUT)).toEqual({ kind: 'snapshot', awaited: false });
    expect(snapshotOf({ ...INPUT, stopAt: 7 })).toEqual({ kind: 'snapshot', awaited: true });
    expect(snapshotOf({ ...INPUT, window: 3, stopRequested: true })).toEqual({ kind: 'snapshot', awaited: true });
  });

  it('never waits for a reply after a window, takes one that came', () => {
    expect(snapshotReplyCheck('window', 'in-flight')).toBe('skip');
    expect(snapshotReplyCheck('window', 'settled')).toBe('take');
    expect(snapshotReplyCheck('window', 'none')).toBe('skip');
  });

  it('waits for the reply before the next snapshot and before the run ends', () => {
    expect(snapshotReplyCheck('snapshot', 'in-flight')).toBe('wait');
    expect(snapshotReplyCheck('end', 'in-flight')).toBe('wait');
    expect(snapshotReplyCheck('snapshot', 'settled')).toBe('take');
    expect(snapshotReplyCheck('end', 'settled')).toBe('take');
    expect(snapshotReplyCheck('snapshot', 'none')).toBe('skip');
    expect(snapshotReplyCheck('end', 'none')).toBe('skip');
  });
});
