import { ScenarioInputError } from './scenario-input.error';
import { parseGridAxis, planSweep, SWEEP_LIMITS } from './sweep.plan';

const input = { name: 'sweep', workload: { accessesPerVcpu: 1000 } };

function errorsOf(fn: () => unknown): { path: string; constraint: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScenarioInputError) return [...error.errors];
    throw error;
  }
  throw new Error('expected a ScenarioInputError');
}

describe('sweep plan', () => {
  it('reports a mistyped grid key once, not once per value, with the key it most likely meant', () => {
    const errors = errorsOf(() => planSweep(input, { grid: ['fleet.hots=1,2,3'] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'fleet.hots', constraint: 'unknownKey' });
    expect(errors[0].message).toMatch(/did you mean fleet\.hosts\?$/);
  });

  it('sizes a sweep by the accesses its runs can make: run.simulatedMs ends them long before accessesPerVcpu', () => {
    // The shipped bug's shape (issue 25): 16 vCPUs, 1e8 accesses each as an upper bound, 3 ms simulated.
    const bug = {
      name: 'bug',
      fleet: { hosts: 2, vmsPerHost: 4, vcpusPerVm: 2 },
      workload: { accessesPerVcpu: 100_000_000, accessIntervalNs: 2 },
      run: { simulatedMs: 3 },
    };
    const plan = planSweep(bug, {
      grid: ['fleet.vcpusPerVm=1,2'],
      policies: ['overhaul', 'overhaul+hv-flush-current'],
    });
    expect(plan.points).toHaveLength(4);
    expect(plan.accessesTotal).toBe(2 * (8 + 16) * 1_500_001);
    const unbounded = { ...bug, run: { simulatedMs: 0 } };
    const policies = ['overhaul', 'overhaul+hv-flush-current'];
    expect(errorsOf(() => planSweep(unbounded, { grid: ['fleet.vcpusPerVm=1,2'], policies }))).toEqual([
      expect.objectContaining({ path: 'sweep', constraint: 'max' }),
    ]);
  });

  it('parses a grid axis with values coerced like --set', () => {
    expect(parseGridAxis('platform.enlightenedTlb=true,false')).toEqual({
      key: 'platform.enlightenedTlb',
      texts: ['true', 'false'],
      values: [true, false],
    });
    expect(parseGridAxis('fleet.hosts=1, 2')).toMatchObject({ values: [1, 2] });
    expect(parseGridAxis('fleet.hosts')).toMatchObject({ path: 'grid', constraint: 'override' });
    expect(parseGridAxis('fleet.hosts=1,,2')).toMatchObject({ path: 'grid', constraint: 'grid' });
  });

  it('expands the grid (first key outermost), then seeds, then policies', () => {
    const plan = planSweep(input, {
      grid: ['fleet.hosts=1,2', 'fleet.vcpusPerVm=1,3'],
      policies: ['overhaul', 'pre-overhaul'],
      seeds: 2,
      overrides: ['seed=5'],
    });
    expect(plan.gridKeys).toEqual(['fleet.hosts', 'fleet.vcpusPerVm']);
    expect(plan.points).toHaveLength(16);
    expect(
      plan.points.slice(0, 5).map((p) => [p.grid['fleet.hosts'], p.grid['fleet.vcpusPerVm'], p.seed, p.policy]),
    ).toEqual([
      [1, 1, 5, 'overhaul'],
      [1, 1, 5, 'pre-overhaul'],
      [1, 1, 6, 'overhaul'],
      [1, 1, 6, 'pre-overhaul'],
      [1, 3, 5, 'overhaul'],
    ]);
    for (const p of plan.points) {
      expect(p.config).toMatchObject({
        seed: p.seed,
        kvm: { policy: p.policy },
        fleet: { hosts: p.grid['fleet.hosts'], vcpusPerVm: p.grid['fleet.vcpusPerVm'] },
      });
    }
    expect(plan.points.map((p) => p.index)).toEqual(plan.points.map((_, i) => i));
    expect(plan.accessesTotal).toBe(
      plan.points.reduce((a, p) => a + p.config.fleet.hosts * 2 * p.config.fleet.vcpusPerVm * 1000, 0),
    );
  });

  it('defaults to the scenario policy and one seed', () => {
    const plan = planSweep({ ...input, kvm: { policy: 'pre-overhaul' } }, { grid: [] });
    expect(plan.points.map((p) => [p.policy, p.seed])).toEqual([['pre-overhaul', 1]]);
  });

  it('reports bad grid values with their scenario path, and bad policies and repeated keys', () => {
    expect(errorsOf(() => planSweep(input, { grid: ['fleet.hosts=1,5000'] })).map((e) => e.path)).toEqual([
      'fleet.hosts',
    ]);
    const errors = errorsOf(() =>
      planSweep(input, { grid: ['fleet.hosts=1', 'fleet.hosts=2'], policies: ['nope', 'overhaul', 'overhaul'] }),
    );
    expect(errors.map((e) => e.constraint).sort()).toEqual(['isIn', 'unique', 'unique']);
  });

  it('refuses sweeps over the point and access limits', () => {
    const many = Array.from({ length: 65 }, (_, i) => i + 1).join(',');
    expect(
      errorsOf(() => planSweep(input, { grid: [`fleet.hosts=${many}`, `fleet.vmsPerHost=${many}`] }))[0],
    ).toMatchObject({ path: 'sweep', constraint: 'max' });
    const heavy = { name: 'heavy', workload: { accessesPerVcpu: 1e9 } };
    const e = errorsOf(() => planSweep(heavy, { grid: ['fleet.hosts=1,2'] }));
    expect(e).toEqual([expect.objectContaining({ path: 'sweep', constraint: 'max', limit: SWEEP_LIMITS.accessesMax })]);
  });
});
