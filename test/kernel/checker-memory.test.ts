import { runInProcess } from '@tlbsim/engine';
import { ShardSim } from '@tlbsim/sim-core';
import { rootReuseSmall } from '../support/scenario.fixture';

/**
 * The checker's memory of reported shared entries (what `npm run bench`
 * adds to the per-vCPU figure at the end of a run): it grows with the stale
 * shared entries the vCPUs use, it is nothing when nothing is stale, and it
 * does not depend on how the vCPUs are split into shards.
 */
async function reportedBytes(overrides: string[], shards: number): Promise<{ bytes: number; reports: number }> {
  let bytes = -1;
  const r = await runInProcess(rootReuseSmall(overrides), {
    shards,
    onFinished: (all: readonly ShardSim[]) => (bytes = all.reduce((n, s) => n + s.reportedKeysBytes(), 0)),
  });
  return { bytes, reports: r.metrics.staleHits };
}

describe("the checker's memory of reported shared entries", () => {
  it('grows under the bug and is the same for 1 and 2 shards (seed 42)', async () => {
    const one = await reportedBytes(['seed=42'], 1);
    const two = await reportedBytes(['seed=42'], 2);
    expect(one.reports).toBeGreaterThan(0);
    expect(one.bytes).toBeGreaterThan(0);
    expect(two.bytes).toBe(one.bytes);
  });

  it('is nothing under the fix, where no shared entry is stale (seed 42)', async () => {
    const fixed = await reportedBytes(['seed=42', 'kvm.policy=overhaul+hv-flush-current'], 1);
    expect(fixed.reports).toBe(0);
    expect(fixed.bytes).toBe(0);
  });
});
