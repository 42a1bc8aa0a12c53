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
   * steady-state-nested shrunk to 2 vCPUs, at unit-test speed: quiet (no
   * nested exits: intervals of about 2% of the mean, so a wrong one shows)
   * and with 500 nested exits/s (the fix's hypercalls on every exit: wider).
   */
  const shapes: [string, string[]][] = [
    ['no nested exits', ['workload.l3TimePercent=0', 'events.nestedTransitionsPerSec=0']],
    ['500 nested exits/s', ['events.nestedTransitionsPerSec=500']],
  ];
  const cfgOf = (shape: string[], seed: number, simulatedMs: number): SimConfig =>
    shippedScenario('steady-state-nested', [
      'fleet.vmsPerHost=1',
      'fleet.vcpusPerVm=2',
      `seed=${seed}`,
      `run.simulatedMs=${simulatedMs}`,
      'run.warmupMs=1',
      ...shape,
    ]);
  const timesOf = async (shape: string[], seeds: number[], simulatedMs: number): Promise<number[]> => {
    const out: number[] = [];
    for (const seed of seeds) out.push(timePerAccessNs(await runInProcess(cfgOf(shape, seed, simulatedMs))));
    return out;
  };

  it.each(shapes)(
    '%s: the interval of 5 replications covers the long-run value for 4 of 5 seeds or more',
    async (_name, shape) => {
      // The long-run value: runs 10x longer, on seeds none of the short runs use.
      const truth = estimateOf(await timesOf(shape, replicationSeeds(9001, 4), 40));
      const misses: string[] = [];
      const widths: number[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        const e = estimateOf(await timesOf(shape, replicationSeeds(seed, 5), 4));
        widths.push(e.ci95!);
        if (Math.abs(e.mean - truth.mean) > e.ci95!)
          misses.push(`seed ${seed}: ${e.mean.toFixed(3)} ± ${e.ci95!.toFixed(3)} misses ${truth.mean.toFixed(3)}`);
      }
      // The reference is sharper than what it checks (10x longer runs), or the check would mean little.
      expect(truth.ci95!).toBeLessThan(Math.max(...widths));
      expect(misses.length <= 1 ? [] : misses).toEqual([]);
    },
  );
});
