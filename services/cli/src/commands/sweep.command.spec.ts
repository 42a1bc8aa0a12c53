import { planSweep } from '@tlbsim/contracts';
import { sweepAccessesExpected } from './sweep.command';

describe('sweepAccessesExpected (the progress total of an in-process sweep)', () => {
  const grid = ['events.cr4WritesPerSec=1,2,3,4'];

  it('points that end at run.simulatedMs: the mean of the points done, not their accessesPerVcpu bound', () => {
    const plan = planSweep({ name: 'x', workload: { accessesPerVcpu: 1_000_000 }, run: { simulatedMs: 1 } }, { grid });
    expect(plan.accessesTotal).toBeGreaterThan(4_000_000);
    expect(sweepAccessesExpected(plan, 0, 0)).toBe(plan.accessesTotal);
    expect(sweepAccessesExpected(plan, 1, 1000)).toBe(4000);
    expect(sweepAccessesExpected(plan, 4, 4100)).toBe(4100);
  });

  it('points that run all their accesses: the plan total', () => {
    const plan = planSweep({ name: 'x', workload: { accessesPerVcpu: 1000 }, run: { simulatedMs: 0 } }, { grid });
    expect(sweepAccessesExpected(plan, 2, plan.accessesTotal / 2)).toBe(plan.accessesTotal);
  });
});
