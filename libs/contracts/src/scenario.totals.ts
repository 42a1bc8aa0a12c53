import type { SimConfig } from '@tlbsim/sim-core';

/**
 * Whole-run totals of a scenario, the one formula each: the limits
 * (scenario.cross-checks.ts), sweeps, job progress (jobs, the CLI's
 * `submit --wait`, the in-process runner) and reports all use these.
 */

/** vCPUs of the whole fleet: `hosts * vmsPerHost * vcpusPerVm`. */
export function vcpusOf(cfg: Pick<SimConfig, 'fleet'>): number {
  const f = cfg.fleet;
  return f.hosts * f.vmsPerHost * f.vcpusPerVm;
}

/** Guest accesses of one run: every vCPU's `workload.accessesPerVcpu`. */
export function accessesTotalOf(cfg: Pick<SimConfig, 'fleet' | 'workload'>): number {
  return vcpusOf(cfg) * cfg.workload.accessesPerVcpu;
}
