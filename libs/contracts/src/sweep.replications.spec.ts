import { replicationSeeds } from './replication.seeds';
import { ScenarioInputError } from './scenario-input.error';
import { planSweep } from './sweep.plan';

const input = { name: 'sweep', seed: 5, workload: { accessesPerVcpu: 1000 } };

describe('sweep with replications', () => {
  it('runs every point on the derived seeds, each point one run, policies on the same seeds', () => {
    const plan = planSweep(input, {
      grid: ['fleet.vcpusPerVm=1,2'],
      policies: ['overhaul', 'pre-overhaul'],
      overrides: ['run.replications=3'],
    });
    const seeds = replicationSeeds(5, 3);
    expect(plan.seeds).toBe(3);
    expect(plan.points).toHaveLength(2 * 3 * 2);
    expect(plan.points.filter((p) => p.grid['fleet.vcpusPerVm'] === 1).map((p) => [p.seed, p.policy])).toEqual(
      seeds.flatMap((s) => [
        [s, 'overhaul'],
        [s, 'pre-overhaul'],
      ]),
    );
    expect(plan.points.every((p) => p.config.run.replications === 1 && p.config.seed === p.seed)).toBe(true);
  });

  it('refuses --seeds together with replications, naming both', () => {
    let error: unknown;
    try {
      planSweep(input, { grid: ['fleet.vcpusPerVm=1,2'], seeds: 2, overrides: ['run.replications=3'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioInputError);
    expect((error as ScenarioInputError).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/--seeds 2 and run\.replications 3: give one/),
    ]);
  });
});
