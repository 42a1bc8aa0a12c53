import { runInProcess } from '@tlbsim/engine';
import { COVERAGE_ACCESSES_PER_VCPU_MIN } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24, coverage: a run that does almost nothing must not report "0
 * violations" like a clean one. The example (1 ms, 16 one-vCPU VMs
 * per host, SMIs at 5,000/s and memslot DELETEs at 2,000/s per host, under
 * overhaul+flush-on-alloc) made no access at all.
 */
describe('coverage (accesses per vCPU and per VM, and a warning when too few)', () => {
  const tiny = (extra: readonly string[] = []) =>
    shippedScenario('hyperv-svm-root-reuse', [
      'kvm.policy=overhaul+flush-on-alloc',
      'run.simulatedMs=1',
      'fleet.vcpusPerVm=1',
      'fleet.vmsPerHost=16',
      'events.smiPerSec=5000',
      'events.memslotDeletesPerSec=2000',
      ...extra,
    ]);

  it("the issue's example made no access: coverage says so, low, with a warning", async () => {
    const r = await runInProcess(tiny());
    expect(r.metrics.accesses).toBe(0);
    expect(r.coverage).toMatchObject({ accesses: 0, accessesPerVcpu: 0, accessesPerVm: 0, low: true });
    expect(r.coverage!.vcpusIdle).toBe(r.fleet.vcpus);
    expect(r.coverage!.vcpusBelowMin).toBe(r.fleet.vcpus);
    expect(r.coverage!.warning).toMatch(/no guest access/);
  });

  it('a clean, long enough run has full coverage and no warning', async () => {
    const r = await runInProcess(shippedScenario('hyperv-svm-root-reuse', ['workload.accessesPerVcpu=5000']));
    expect(r.coverage).toMatchObject({
      accessesPerVcpu: 5000,
      accessesPerVcpuMin: COVERAGE_ACCESSES_PER_VCPU_MIN,
      vcpusFinished: r.fleet.vcpus,
      vcpusIdle: 0,
      vcpusBelowMin: 0,
      low: false,
    });
    expect(r.coverage!.accessesPerVm).toBe((5000 * r.fleet.vcpus) / (r.fleet.hosts * r.fleet.vmsPerHost));
    expect(r.coverage!.warning).toBeUndefined();
  });

  it('a run with some accesses but fewer than the threshold per vCPU is low', async () => {
    const r = await runInProcess(
      shippedScenario('hyperv-svm-root-reuse', [`workload.accessesPerVcpu=${COVERAGE_ACCESSES_PER_VCPU_MIN - 1}`]),
    );
    expect(r.metrics.accesses).toBeGreaterThan(0);
    expect(r.coverage!.low).toBe(true);
    expect(r.coverage!.vcpusBelowMin).toBe(r.fleet.vcpus);
    expect(r.coverage!.warning).toMatch(/too few to mean anything/);
  });
});
