import { runInProcess } from '@tlbsim/engine';
import { endNsOf, STALL_FACTOR_MAX, STALL_LIMIT_NS_MIN } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * A policy whose hypercalls offer L0 more work than it can serve makes L0's
 * queue, and the run's simulated time, grow without end. Found on
 * fleet.yaml under overhaul+hv-flush-current (memslot updates at 20,000/s
 * per host: every one makes 128 vCPUs reload a root, each with a ~92 us
 * hypercall). The stall limit must end such a run, and say so.
 */
describe('stall limit (a saturated L0 ends the run instead of hanging it)', () => {
  const saturated = (extra: readonly string[] = []) =>
    shippedScenario('fleet', [
      'fleet.hosts=1',
      'fleet.vmsPerHost=2',
      'fleet.vcpusPerVm=16',
      'workload.accessesPerVcpu=2000',
      'kvm.policy=overhaul+hv-flush-current',
      ...extra,
    ]);

  it('ends at STALL_FACTOR_MAX x the nominal time, with the hypercall stalls that caused it', async () => {
    const cfg = saturated();
    const r = await runInProcess(cfg);
    const m = r.metrics;
    expect(endNsOf(cfg)).toBe(Math.max(STALL_LIMIT_NS_MIN, STALL_FACTOR_MAX * 2000 * cfg.workload.accessIntervalNs));
    expect(m.stallLimit).toEqual({ hit: true, simulatedNsMax: endNsOf(cfg) });
    expect(m.simulatedNs).toBeGreaterThanOrEqual(endNsOf(cfg));
    expect(m.simulatedNs).toBeLessThan(endNsOf(cfg) + 2 * (m.simulatedNs / m.windows));
    expect(m.accesses).toBeLessThan(32 * 2000);
    expect(m.time.percent.hypercallStalls).toBeGreaterThan(90);
    expect(m.l0.busyPercent).toBeGreaterThan(95);
  });

  it('a run that completes its accesses does not report the limit', async () => {
    const r = await runInProcess(
      saturated([
        'events.memslotUpdatesPerSec=0',
        'events.mmuNotifierInvalidationsPerSec=0',
        'events.nestedTransitionsPerSec=0',
      ]),
    );
    expect(r.metrics.stallLimit.hit).toBe(false);
    expect(r.metrics.accesses).toBe(32 * 2000);
  });

  it('an explicit run.simulatedMs is the end, not the limit', async () => {
    const r = await runInProcess(saturated(['run.simulatedMs=0.5']));
    expect(r.metrics.stallLimit.hit).toBe(false);
    expect(r.metrics.simulatedNs).toBeGreaterThanOrEqual(500_000);
  });
});
