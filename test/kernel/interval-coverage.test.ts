import { estimateOf, replicationSeeds, runInProcess, timePerAccessNs } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * The 95% intervals tlbsim prints (estimate.ts) cover the long-run value:
 * for several scenario seeds, the interval of vCPU time per guest access
 * over 5 short replications is compared with the mean of runs ten times
 * longer on other seeds. A valid 95% interval misses now and then, so the
 * property is "at least 4 of 5 cover" (a 95% interval does so with
 * probability 0.977); an interval that ignored the spread between seeds,
 * or a warm-up left in, fails it.
 */
describe('interval coverage', () => {
  /**
   * steady-state-nested shrunk to 2 vCPUs with no nested exits: intervals of
   * a few percent of the mean at unit-test speed. (With nested exits the
   * current model's per-run values are burst-dominated and heavy-tailed at
   * these lengths, 19 to 106 ns per access for one seed: a 5-run t interval
   * is not expected to cover there, and the shipped scenario uses 12 x 300 ms.)
   */
  const QUIET = ['workload.l3TimePercent=0', 'events.nestedTransitionsPerSec=0'];
  /**
   * Every run leaves out a 10 ms warm-up: the first milliseconds (shadow
   * tables and TLBs built from nothing) cost about twice the steady state;
   * with a 1 ms warm-up the 4 ms intervals (about 9.5 ns) missed the
   * long-run value (about 5 ns) for 4 of 5 seeds.
   */
  const WARMUP_MS = 10;
  const cfgOf = (seed: number, measuredMs: number): SimConfig =>
    shippedScenario('steady-state-nested', [
      'fleet.vmsPerHost=1',
      'fleet.vcpusPerVm=2',
      `seed=${seed}`,
      `run.simulatedMs=${WARMUP_MS + measuredMs}`,
      `run.warmupMs=${WARMUP_MS}`,
      ...QUIET,
    ]);
  const timesOf = async (seeds: number[], measuredMs: number): Promise<number[]> => {
    const out: number[] = [];
    for (const seed of seeds) out.push(timePerAccessNs(await runInProcess(cfgOf(seed, measuredMs))));
    return out;
  };

  it('the interval of 5 replications covers the long-run value for 4 of 5 seeds or more', async () => {
    // The long-run value: runs 10x longer, on seeds none of the short runs use. It is itself an
    // estimate (seeds differ for good: 4.8 to 5.7 ns), so a short interval covers it when the
    // difference is within both intervals combined.
    const truth = estimateOf(await timesOf(replicationSeeds(9001, 4), 40));
    const misses: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const e = estimateOf(await timesOf(replicationSeeds(seed, 5), 4));
      if (Math.abs(e.mean - truth.mean) > Math.hypot(e.ci95!, truth.ci95!))
        misses.push(
          `seed ${seed}: ${e.mean.toFixed(3)} ± ${e.ci95!.toFixed(3)} misses ${truth.mean.toFixed(3)} ± ${truth.ci95!.toFixed(3)}`,
        );
    }
    expect(misses.length <= 1 ? [] : misses).toEqual([]);
  });
});
