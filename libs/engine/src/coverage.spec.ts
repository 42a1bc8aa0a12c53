import { C, COUNTER_SLOTS } from '@tlbsim/sim-core';
import { buildScenario } from '@tlbsim/contracts';
import { coverageOf } from './coverage';

describe('coverageOf', () => {
  const cfg = buildScenario({ name: 'cov' }, ['fleet.hosts=1', 'fleet.vmsPerHost=2', 'fleet.vcpusPerVm=2']);
  const counters = (accesses: number, idle: number, below: number): number[] => {
    const c = new Array<number>(COUNTER_SLOTS).fill(0);
    c[C.accesses] = accesses;
    c[C.vcpusFinished] = 4;
    c[C.vcpusIdle] = idle;
    c[C.vcpusBelowCoverage] = below;
    return c;
  };

  it('means per vCPU and per VM, no warning when every vCPU is above the threshold', () => {
    const cov = coverageOf(cfg, counters(8000, 0, 0));
    expect(cov).toMatchObject({ accessesPerVcpu: 2000, accessesPerVm: 4000, low: false });
    expect(cov.warning).toBeUndefined();
  });

  it('one starving vCPU makes the run low, though the mean is fine', () => {
    const cov = coverageOf(cfg, counters(30000, 1, 1));
    expect(cov.low).toBe(true);
    expect(cov.warning).toBe(
      '1 of 4 vCPUs made fewer than 1000 accesses (1 none): their share of the verdict means nothing',
    );
  });

  it('no access at all', () => {
    expect(coverageOf(cfg, counters(0, 4, 4)).warning).toMatch(/^no guest access was made/);
  });
});
