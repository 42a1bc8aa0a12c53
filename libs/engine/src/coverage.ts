import { C, COVERAGE_ACCESSES_PER_VCPU_MIN, SimConfig } from '@tlbsim/sim-core';
import { vcpusOf } from '@tlbsim/contracts';

/**
 * How much a run exercised (`RunReport.coverage`). A verdict of "0
 * violations" means something only if the vCPUs made accesses the checker
 * could catch a stale translation on; a run that made too few is flagged
 * (`low`, with a one-line `warning` the text report and the dashboard show),
 * and one that made none is not a result at all (the CLI exits 1).
 * The threshold is sim-core's {@link COVERAGE_ACCESSES_PER_VCPU_MIN}.
 */
export interface RunCoverage {
  /** Guest accesses simulated, all vCPUs. */
  accesses: number;
  /** Mean accesses per vCPU (over every vCPU of the fleet). */
  accessesPerVcpu: number;
  /** Mean accesses per VM. */
  accessesPerVm: number;
  /** The threshold: fewer accesses than this on a vCPU are too few to mean anything. */
  accessesPerVcpuMin: number;
  /** vCPUs whose work was counted (every vCPU, unless the run was stopped early). */
  vcpusFinished: number;
  /** vCPUs that made no access at all. */
  vcpusIdle: number;
  /** vCPUs that made fewer than `accessesPerVcpuMin` accesses (idle ones included). */
  vcpusBelowMin: number;
  /** The run's verdict covers too little to mean anything: some vCPU, or the mean, is below the threshold. */
  low: boolean;
  /** Why `low` is set, in one line (absent when it is not). */
  warning?: string;
}

/** The coverage of a run from its counters. */
export function coverageOf(cfg: SimConfig, counters: readonly number[]): RunCoverage {
  const vcpus = vcpusOf(cfg);
  const vms = cfg.fleet.hosts * cfg.fleet.vmsPerHost;
  const accesses = counters[C.accesses];
  const coverage: RunCoverage = {
    accesses,
    accessesPerVcpu: vcpus > 0 ? accesses / vcpus : 0,
    accessesPerVm: vms > 0 ? accesses / vms : 0,
    accessesPerVcpuMin: COVERAGE_ACCESSES_PER_VCPU_MIN,
    vcpusFinished: counters[C.vcpusFinished],
    vcpusIdle: counters[C.vcpusIdle],
    vcpusBelowMin: counters[C.vcpusBelowCoverage],
    low: false,
  };
  const warning = coverageWarning(coverage, vcpus);
  if (warning) {
    coverage.low = true;
    coverage.warning = warning;
  }
  return coverage;
}

/** The one-line warning of a coverage too low to mean anything, or null. */
function coverageWarning(c: RunCoverage, vcpus: number): string | null {
  const min = c.accessesPerVcpuMin;
  const mean = `${fmt(c.accessesPerVcpu)} accesses per vCPU`;
  if (c.accesses === 0) return `no guest access was made: nothing was checked, the verdict means nothing`;
  if (c.accessesPerVcpu < min)
    return `${mean} (fewer than ${min}): too few to mean anything; lengthen the run (run.simulatedMs, workload.accessesPerVcpu) or lower the event rates`;
  if (c.vcpusBelowMin > 0)
    return `${c.vcpusBelowMin} of ${vcpus} vCPUs made fewer than ${min} accesses (${c.vcpusIdle} none): their share of the verdict means nothing`;
  return null;
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1);
}
