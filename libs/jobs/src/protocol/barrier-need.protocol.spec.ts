import { allShardNeighbours, ShardNeighbours } from '@tlbsim/sim-core';
import {
  barrierNeedOf,
  publishesAt,
  resizeStopAt,
  shardLinksOf,
  SYNC_EVERY_WINDOWS,
  syncEveryWindowsOf,
} from './barrier-need.protocol';

/** Shards that share nothing: no shard sends to another. */
function apart(shards: number): ShardNeighbours {
  const none = Array.from({ length: shards }, () => [] as number[]);
  return { shards, into: none, outOf: none };
}

describe('barrier-need protocol', () => {
  it('lets an isolated shard skip every window but its sync, checkpoint and done windows', () => {
    const links = shardLinksOf(apart(2), 0, 2048);
    expect(links.syncEveryWindows).toBe(SYNC_EVERY_WINDOWS);
    const published = Array.from({ length: 300 }, (_, w) => w).filter((w) => publishesAt(links, w, false, 2048));
    // Checkpoints after 1, 2, 4, ..., 256 windows; sync windows 63, 127, 191, 255.
    expect(published).toEqual([0, 1, 3, 7, 15, 31, 63, 127, 191, 255]);
    expect(publishesAt(links, 100, true, 2048)).toBe(true);
    expect(barrierNeedOf(links, 191, false, 2048)).toMatchObject({ all: false, span: true });
    expect(barrierNeedOf(links, 63, false, 2048)).toMatchObject({ all: true, span: true });
  });

  it('makes a shard with neighbours publish every window, and a job without isolated shards sync every window', () => {
    const n = allShardNeighbours(3);
    const links = shardLinksOf(n, 1, 2048);
    expect(links.syncEveryWindows).toBe(1);
    for (let w = 0; w < 100; w++) expect(publishesAt(links, w, false, 2048)).toBe(true);
    expect(barrierNeedOf(links, 5, false, 2048).span).toBe(false);
    expect(publishesAt(undefined, 5, false, 2048)).toBe(true);
  });

  it('caps the sync period by the snapshot interval', () => {
    expect(syncEveryWindowsOf(apart(2), 8)).toBe(8);
    expect(syncEveryWindowsOf(apart(2), 100)).toBe(SYNC_EVERY_WINDOWS);
    expect(syncEveryWindowsOf(apart(1), 1)).toBe(1);
  });

  it('stops a resize at the first sync window past the furthest published, never before it', () => {
    expect(resizeStopAt(175, 1)).toBe(176);
    expect(resizeStopAt(175, 64)).toBe(191);
    expect(resizeStopAt(191, 64)).toBe(255);
    expect(resizeStopAt(-1, 64)).toBe(63);
    for (let far = -1; far < 300; far++)
      for (const p of [1, 2, 8, 64]) {
        const at = resizeStopAt(far, p);
        expect(at).toBeGreaterThan(far);
        expect((at + 1) % p).toBe(0);
        expect(at - far).toBeLessThanOrEqual(p);
      }
  });
});
