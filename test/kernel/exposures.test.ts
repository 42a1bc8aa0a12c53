import { exposuresOf, runInProcess } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 23, honest verdicts: the checker counts the exposures it saw
 * (violation.checker.ts), where the report's counters could only estimate
 * them. A root page allocated again after its last root ran no guest access
 * holds no entry tagged with it: no stale-root exposure, though the page was
 * reused.
 */
describe('exposures counted by the checker', () => {
  it('a reused root page whose last root was never used is no exposure; the counter estimate counted it', async () => {
    const base = shippedScenario('hyperv-svm-root-reuse', ['kvm.freeBeforeFlush=true']);
    const cfg: SimConfig = { ...base, kvm: { ...base.kvm, policy: 'overhaul+hv-flush-current' } };
    const r = await runInProcess(cfg);
    const counted = r.violations.exposures!;
    const estimated = exposuresOf({ ...r, violations: { ...r.violations, exposures: undefined } });
    const seed = `seed ${cfg.seed}`;
    // The verdicts read the checker's counts.
    expect([seed, exposuresOf(r)]).toEqual([seed, counted]);
    // Exercised, but fewer reuses counted than happened: one page came back after an unused root.
    expect([seed, counted['stale-root'] > 0]).toEqual([seed, true]);
    expect([seed, counted['stale-root'] < r.metrics.roots.pageReused]).toEqual([seed, true]);
    expect([seed, estimated['stale-root']]).toEqual([seed, r.metrics.roots.pageReused]);
    // Every unmap of this run came after the vCPUs loaded roots: those counts agree.
    expect([seed, counted['use-after-free']]).toEqual([seed, estimated['use-after-free']]);
    expect([seed, counted['use-after-free'] > 0]).toEqual([seed, true]);
  });
});
