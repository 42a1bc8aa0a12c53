import { buildScenario, replicationSeeds, ScenarioInputError, SWEEP_LIMITS } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import { checkComparePoints, comparePointsOf, isCompareJobId } from './compare-job.view';

/** The policies' configs of a compare with `replications`, the first the baseline. */
function configs(replications: number, accessesPerVcpu = 1000): SimConfig[] {
  const base = buildScenario({ name: 'cmp', seed: 5, workload: { accessesPerVcpu }, run: { replications } }, []);
  return (['overhaul+hv-flush-current', 'enlightened-tlb-off'] as const).map((policy) => ({
    ...base,
    kvm: { ...base.kvm, policy },
  }));
}

describe('compare job points', () => {
  it('are every policy on every replication seed, seed outermost, each one replication of runReplications', () => {
    const points = comparePointsOf(configs(3));
    const seeds = replicationSeeds(5, 3);
    expect(points.map((p) => [p.index, p.seed, p.policy])).toEqual([
      [0, seeds[0], 'overhaul+hv-flush-current'],
      [1, seeds[0], 'enlightened-tlb-off'],
      [2, seeds[1], 'overhaul+hv-flush-current'],
      [3, seeds[1], 'enlightened-tlb-off'],
      [4, seeds[2], 'overhaul+hv-flush-current'],
      [5, seeds[2], 'enlightened-tlb-off'],
    ]);
    // The config a point runs is the replication's, as in process (run.replications kept).
    expect(points.every((p) => p.config.seed === p.seed && p.config.run.replications === 3)).toBe(true);
  });

  it('are refused over the guest accesses a sweep may make, naming replications and the limit', () => {
    expect(() => checkComparePoints(comparePointsOf(configs(2)))).not.toThrow();
    const big = comparePointsOf(configs(100, 1e8));
    let error: unknown;
    try {
      checkComparePoints(big);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioInputError);
    expect((error as ScenarioInputError).errors).toEqual([
      expect.objectContaining({ path: 'replications', constraint: 'max', limit: SWEEP_LIMITS.accessesMax }),
    ]);
  });

  it('have job ids of their own letter', () => {
    expect(isCompareJobId('c-mxd0-1234')).toBe(true);
    expect(isCompareJobId('g-abc')).toBe(false);
  });
});
