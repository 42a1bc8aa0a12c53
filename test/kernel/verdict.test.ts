import { CompareFigures, compareFigures, runInProcess } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/** One run per policy of a config. */
async function runsOf(cfg: SimConfig, policies: readonly string[]): Promise<CompareFigures> {
  const reports = [];
  for (const policy of policies)
    reports.push(await runInProcess({ ...cfg, kvm: { ...cfg.kvm, policy: policy as SimConfig['kvm']['policy'] } }));
  return compareFigures(reports);
}

/** Honest verdicts (issue 23): a policy the run never exposed to a hazard is not named correct. */
describe('verdicts', () => {
  const policies = ['overhaul', 'overhaul+hv-flush-current'];

  it('the too-short comparison (timeCompression 5: no root page reused) names no policy correct', async () => {
    const cfg = shippedScenario('hyperv-svm-root-reuse', ['run.timeCompression=5']);
    const f = await runsOf(cfg, policies);
    expect([`seed ${cfg.seed}`, f.cheapestCorrect]).toEqual([`seed ${cfg.seed}`, null]);
    for (const v of f.verdicts) expect(v!.find((c) => c.class === 'stale-root')!.exercised).toBe(false);
  });

  it('the shipped comparison exercises every class and names the fix, never the buggy policy', async () => {
    const cfg = shippedScenario('hyperv-svm-root-reuse');
    const f = await runsOf(cfg, policies);
    expect([`seed ${cfg.seed}`, f.verdicts[1]!.every((c) => c.exercised)]).toEqual([`seed ${cfg.seed}`, true]);
    expect(f.cheapestCorrect).toBe('overhaul+hv-flush-current');
    // The buggy policy was exposed to the same hazards and failed (in whichever class the leak shows).
    expect(f.verdicts[0]!.reduce((a, c) => a + c.violations, 0)).toBeGreaterThan(0);
  });
});
