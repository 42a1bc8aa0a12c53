import type { SimConfig } from '@tlbsim/sim-core';
import type { FieldError } from './field-error.type';
import { SCENARIO_LIMITS } from './scenario.limits';

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

/** Actors of the fleet, the most shards a run can use: `hosts * (2 + vmsPerHost * vcpusPerVm)` (kvm, l0 and the vCPUs of each host). */
export function actorsOf(cfg: Pick<SimConfig, 'fleet'>): number {
  const f = cfg.fleet;
  return f.hosts * (2 + f.vmsPerHost * f.vcpusPerVm);
}

/**
 * Simulated accesses one vCPU can make: its `workload.accessesPerVcpu`, or
 * for a run that ends at `run.simulatedMs` no more than fit in that time at
 * the fastest (every access a hit: `accessIntervalNs x accessSampling`;
 * misses, walks, exits and waits only make them slower).
 */
export function accessesPerVcpuPossibleOf(cfg: Pick<SimConfig, 'workload'> & RunEnd): number {
  const w = cfg.workload;
  const simulatedMs = cfg.run?.simulatedMs ?? 0;
  if (simulatedMs <= 0) return w.accessesPerVcpu;
  const accessNs = Math.max(1, w.accessIntervalNs * Math.max(1, w.accessSampling || 1));
  if (!Number.isFinite(accessNs)) return w.accessesPerVcpu;
  return Math.min(w.accessesPerVcpu, Math.ceil((simulatedMs * 1e6) / accessNs) + 1);
}

/** What ends a run besides its accesses: `run.simulatedMs` (absent or 0: nothing). */
export interface RunEnd {
  run?: Pick<SimConfig['run'], 'simulatedMs'>;
}

/**
 * Guest accesses one run can make, every vCPU's
 * {@link accessesPerVcpuPossibleOf}: `workload.accessesPerVcpu`, an upper
 * bound that `run.simulatedMs` usually ends long before, bounded by that
 * time. The one count of a run's work: the size limits (scenario totals,
 * sweeps) and the progress totals use it.
 */
export function accessesTotalOf(cfg: Pick<SimConfig, 'fleet' | 'workload'> & RunEnd): number {
  return vcpusOf(cfg) * accessesPerVcpuPossibleOf(cfg);
}

/** The most shards a job of this scenario can run on: `run.shards`' limit, and no more than its actors. */
export function shardsMaxOf(cfg: Pick<SimConfig, 'fleet'>): number {
  return Math.min(SCENARIO_LIMITS['run.shards'].max, actorsOf(cfg));
}

/**
 * The problem with running a job of this scenario on `shards` shards, named
 * `path`; undefined when fine. The one home of the shard-count rule: the
 * scenario's `run.shards` (a cross-field check), a submission's `shards`, a
 * resize (`tlbsim resize --shards`, `POST /api/jobs/:id/resize`).
 */
export function shardsError(cfg: Pick<SimConfig, 'fleet'>, shards: unknown, path = 'shards'): FieldError | undefined {
  const max = shardsMaxOf(cfg);
  const shown = typeof shards === 'string' ? JSON.stringify(shards) : String(shards);
  if (typeof shards !== 'number' || !Number.isInteger(shards)) {
    return {
      path,
      value: shards,
      constraint: 'isInt',
      message: `${path}: ${shown} is not an integer (allowed: 1..${max})`,
      limit: `1..${max}`,
    };
  }
  if (shards < 1)
    return { path, value: shards, constraint: 'min', message: `${path}: ${shards} is below the minimum 1`, limit: 1 };
  if (shards <= max) return undefined;
  const why =
    max === SCENARIO_LIMITS['run.shards'].max ? 'run.shards' : 'the number of actors, hosts*(2+vmsPerHost*vcpusPerVm)';
  return {
    path,
    value: shards,
    constraint: 'max',
    message: `${path}: ${shards} exceeds the maximum ${max} (${why})`,
    limit: max,
  };
}

/**
 * Guest accesses a run is expected to make in all, `windowsDone` windows into
 * it with `accesses` made so far: {@link accessesTotalOf} for a run that ends
 * when its accesses are done; for one that ends at `run.simulatedMs` (usually
 * long before every vCPU's `accessesPerVcpu`), as many as its simulated time
 * allows, extrapolated from the windows done out of `windowsEstimate` (until
 * there is something to extrapolate from, {@link accessesTotalOf}); never
 * above {@link accessesTotalOf} nor below `accesses`. The one formula of
 * every progress bar, ETA and job view.
 */
export function accessesExpectedOf(
  cfg: Pick<SimConfig, 'fleet' | 'workload' | 'run'>,
  accesses: number,
  windowsDone: number,
  windowsEstimate: number,
): number {
  const total = accessesTotalOf(cfg);
  if (cfg.run.simulatedMs <= 0 || windowsDone <= 0 || accesses <= 0) return total;
  return Math.min(total, Math.max(accesses, Math.round((accesses * windowsEstimate) / windowsDone)));
}

/**
 * Windows a run is expected to take, `windowsDone` windows into it with
 * `accesses` made so far: the nominal `windowsEstimate` (no stalls) until the
 * accesses say more. Misses, walks, exits and waits make accesses slower
 * than nominal, so a run that ends when its accesses are done takes about
 * `windowsDone * accessesTotalOf / accesses` windows; one that ends at
 * `run.simulatedMs` takes its estimate. Never below `windowsDone`.
 */
export function windowsExpectedOf(
  cfg: Pick<SimConfig, 'fleet' | 'workload' | 'run'>,
  accesses: number,
  windowsDone: number,
  windowsEstimate: number,
): number {
  const nominal = Math.max(windowsEstimate, windowsDone);
  if (cfg.run.simulatedMs > 0 || accesses <= 0 || windowsDone <= 0) return nominal;
  return Math.max(nominal, Math.round((windowsDone * accessesTotalOf(cfg)) / accesses));
}
