import { checkpointField, isCheckpointWindow, latestCommonCheckpoint } from './checkpoint.schedule';

describe('checkpoint schedule', () => {
  it('checkpoints at powers of two below the snapshot interval, then at every multiple of it', () => {
    const at = Array.from({ length: 200 }, (_, i) => i).filter((w) => isCheckpointWindow(w, 64));
    expect(at).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 192]);
    expect([1, 2, 3, 4, 5, 6].filter((w) => isCheckpointWindow(w, 3))).toEqual([1, 2, 3, 6]);
  });

  it('finds the latest window every shard checkpointed', () => {
    const fields = [
      checkpointField(32, 0),
      checkpointField(64, 0),
      checkpointField(32, 1),
      checkpointField(16, 1),
      checkpointField(16, 0),
      'junk',
    ];
    expect(latestCommonCheckpoint(fields, 2)).toBe(32);
    expect(latestCommonCheckpoint(fields, 3)).toBeNull();
    expect(latestCommonCheckpoint([], 1)).toBeNull();
  });
});
