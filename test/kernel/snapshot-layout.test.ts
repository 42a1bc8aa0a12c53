import { repartitionSnapshots, ShardSim, ShardSnapshot, SNAPSHOT_LAYOUT, SnapshotLayoutError } from '@tlbsim/sim-core';
import { decodeSnapshot, emptyTransportStats, encodeSnapshot } from '@tlbsim/jobs';
import { rootReuseSmall } from '../support/scenario.fixture';

/** Two shards of a small root-reuse run, snapshotted after `windows` windows. */
function snapshotsAfter(windows: number): ShardSnapshot[] {
  const cfg = rootReuseSmall(['seed=5']);
  const shards = [new ShardSim(cfg, 0, 2), new ShardSim(cfg, 1, 2)];
  let inbound: Float64Array[][] = [[], []];
  for (let w = 0; w < windows; w++) {
    const outs = shards.map((s, i) => s.runWindow(inbound[i]));
    inbound = [0, 1].map((d) => outs.flatMap((o) => (o.outbound.get(d) ? [o.outbound.get(d)!] : [])));
  }
  return shards.map((s) => s.snapshot());
}

/**
 * A snapshot records the layout of the kernel state it holds; a restore of
 * another layout (an earlier build's, after an upgrade) stops with the two
 * layouts named instead of going on from misread state.
 */
describe('snapshot layout', () => {
  const cfg = rootReuseSmall(['seed=5']);
  const snaps = snapshotsAfter(12);

  it("a snapshot carries this build's layout, through the stored encoding too, and restores", () => {
    expect(snaps.map((s) => s.layout)).toEqual([SNAPSHOT_LAYOUT, SNAPSHOT_LAYOUT]);
    const stored = decodeSnapshot(encodeSnapshot({ sim: snaps[0], stats: emptyTransportStats() }));
    expect(stored.sim.layout).toBe(SNAPSHOT_LAYOUT);
    expect(ShardSim.restore(cfg, stored.sim).window).toBe(12);
  });

  it('a snapshot without a layout (written before layouts were recorded) or of another layout is refused', () => {
    const { layout: _dropped, ...unrecorded } = snaps[0];
    expect(() => ShardSim.restore(cfg, unrecorded)).toThrow(SnapshotLayoutError);
    expect(() => ShardSim.restore(cfg, unrecorded)).toThrow(
      `snapshot layout 1 was written by another tlbsim build; this build reads layout ${SNAPSHOT_LAYOUT}: resubmit the job`,
    );
    expect(() => ShardSim.restore(cfg, { ...snaps[0], layout: SNAPSHOT_LAYOUT + 1 })).toThrow(
      `snapshot layout ${SNAPSHOT_LAYOUT + 1} was written`,
    );
  });

  it("a resize refuses a set with an old snapshot, and writes this build's layout", () => {
    const { layout: _dropped, ...unrecorded } = snaps[1];
    expect(() => repartitionSnapshots(cfg, [snaps[0], unrecorded], [[], []], 3)).toThrow(SnapshotLayoutError);
    const out = repartitionSnapshots(cfg, snaps, [[], []], 3);
    expect(out.map((s) => s.layout)).toEqual([SNAPSHOT_LAYOUT, SNAPSHOT_LAYOUT, SNAPSHOT_LAYOUT]);
  });
});
