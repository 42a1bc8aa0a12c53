/**
 * Replications of a run and the estimates over them: each replication a run
 * from one of `replicationSeeds`, every policy of a comparison on the same
 * seeds (common random numbers), every figure a mean with a 95% interval
 * (estimate.ts) and a convergence verdict.
 */
import { SimConfig, VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import { timePerAccessNs, VerdictCandidate } from './compare.figures';
import { ClassVerdict, classVerdictsOf, Exposures, exposuresOfAll } from './exposures';
import { Convergence, convergenceOf, Estimate, estimateOf, overheadPercent, pairedOverheadOf } from './estimate';
import { replicationSeeds } from '@tlbsim/contracts';
import type { RunReport } from './report';

/** Runs one replication. */
export type ReplicationRunner = (config: SimConfig, replication: number) => Promise<RunReport>;

/**
 * The configs of `config.run.replications` replications: the scenario with
 * each of its replication seeds (the first is its own seed).
 */
export function replicationConfigs(config: SimConfig): SimConfig[] {
  return replicationSeeds(config.seed, config.run.replications).map((seed) => ({ ...config, seed }));
}

/**
 * The runs of a comparison: for each policy's config (the first the
 * baseline), its {@link replicationConfigs}, all on the same seeds (common
 * random numbers). What `tlbsim compare` runs in process, and the points of
 * a compare job on the workers, in the same order.
 */
export function comparisonConfigs(configs: readonly SimConfig[]): SimConfig[][] {
  return configs.map(replicationConfigs);
}

/** Runs every replication of `config`, one after the other; reports in seed order. */
export async function runReplications(config: SimConfig, run: ReplicationRunner): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  for (const [i, c] of replicationConfigs(config).entries()) reports.push(await run(c, i));
  return reports;
}

/** Flush events behind a report's cost figures (after its warm-up; the whole run for older reports). */
export function flushEventsOf(r: RunReport): number {
  const m = r.metrics;
  if (m.measured) return m.measured.flushEvents;
  return m.hypercalls.flushGuestPhysicalAddressSpace + m.hypercalls.flushGuestPhysicalAddressList;
}

/** One policy's figures over its replications (`compare --json` `estimates`, `run --json` `replications`). */
export interface PolicyEstimates {
  policy: string;
  /** The replication seeds, in order. */
  seeds: number[];
  /** Each replication's digest, in seed order. */
  digests: string[];
  /** Violations over every replication. */
  violations: number;
  /** Exposures per violation class over every replication (exposures.ts). */
  exposures: Exposures;
  /** Per class: violations in how many exposures, the 95% upper bound, or not exercised. */
  verdicts: ClassVerdict[];
  /** Flush events behind the figures, over every replication. */
  flushEvents: number;
  /** The headline: vCPU time per guest access, ns. */
  timePerAccessNs: Estimate;
  /** The same per replication, in seed order (what the interval is computed from). */
  timePerAccessNsBySeed: number[];
  /** Whether {@link timePerAccessNs} is converged. */
  timePerAccessConvergence: Convergence;
  /** Modelled cycles per access (secondary). */
  cyclesPerAccess: Estimate;
  /** Share of vCPU time spent in hypercall stalls, percent. */
  hypercallStallsPercent: Estimate;
  /** L0's busy share, percent. */
  l0BusyPercent: Estimate;
  /** GPA flush hypercalls per host per simulated second. */
  hypercallsPerHostPerSec: Estimate;
}

/** {@link PolicyEstimates} of one policy's replications (non-empty, seed order). */
export function policyEstimatesOf(reports: readonly RunReport[]): PolicyEstimates {
  const of = (f: (r: RunReport) => number): Estimate => estimateOf(reports.map(f));
  const flushEvents = reports.reduce((a, r) => a + flushEventsOf(r), 0);
  const time = of(timePerAccessNs);
  const exposures = exposuresOfAll(reports);
  return {
    policy: reports[0].policy,
    seeds: reports.map((r) => r.seed),
    digests: reports.map((r) => r.digest),
    violations: reports.reduce((a, r) => a + r.violations.total, 0),
    exposures,
    verdicts: classVerdictsOf(violationsByClassOf(reports), exposures),
    flushEvents,
    timePerAccessNs: time,
    timePerAccessNsBySeed: reports.map(timePerAccessNs),
    // The floor is for differences between policies (overheads); a policy's own time rests on every access.
    timePerAccessConvergence: convergenceOf(time, 'relative', Infinity),
    cyclesPerAccess: of((r) => r.metrics.cycles.perAccess),
    hypercallStallsPercent: of((r) => r.metrics.time.percent.hypercallStalls),
    l0BusyPercent: of((r) => r.metrics.l0.busyPercent),
    hypercallsPerHostPerSec: of((r) => r.metrics.rates.hypercallsPerHostPerSec.achieved),
  };
}

/** Violations per class summed over runs. */
function violationsByClassOf(reports: readonly RunReport[]): Record<ViolationClass, number> {
  const sum = Object.fromEntries(VIOLATION_CLASSES.map((c) => [c, 0])) as Record<ViolationClass, number>;
  for (const r of reports) for (const c of VIOLATION_CLASSES) sum[c] += r.violations.byClass[c];
  return sum;
}

/** The {@link VerdictCandidate} of a policy's replications. */
export function verdictCandidateOfAll(p: PolicyEstimates): VerdictCandidate {
  return {
    policy: p.policy,
    violations: p.violations,
    timePerAccessNs: p.timePerAccessNs.mean,
    exposures: p.exposures,
  };
}

/** The estimates of a comparison: per policy, and each policy's overheads against the first, paired by seed. */
export interface ComparisonEstimates {
  /** The replication seeds every policy ran. */
  seeds: number[];
  policies: PolicyEstimates[];
  /** vCPU time per guest access against the first policy, percent (the headline; the first: 0). */
  timeOverheadVsFirst: Estimate[];
  /** Each policy's overhead per replication, in seed order: what {@link timeOverheadVsFirst} averages. */
  timeOverheadBySeed: number[][];
  /** Whether each of {@link timeOverheadVsFirst} is converged (the first always is). */
  timeOverheadConvergence: Convergence[];
  /** Cycles per access against the first policy, percent (secondary). */
  overheadVsFirst: Estimate[];
}

/**
 * The estimates of a comparison: `runs[p]` the replications of policy p,
 * all on the same seeds in the same order (the first policy the baseline).
 *
 * @throws RangeError when the policies did not run the same seeds
 */
export function comparisonEstimatesOf(runs: readonly (readonly RunReport[])[]): ComparisonEstimates {
  const seeds = runs[0]?.map((r) => r.seed) ?? [];
  for (const rs of runs)
    if (rs.map((r) => r.seed).join() !== seeds.join())
      throw new RangeError(
        `compare: policy ${rs[0]?.policy} ran seeds ${rs.map((r) => r.seed).join(',')}, not ${seeds}`,
      );
  const base = runs[0] ?? [];
  const policies = runs.map(policyEstimatesOf);
  const paired = (f: (r: RunReport) => number): Estimate[] =>
    runs.map((rs) => pairedOverheadOf(base.map(f), rs.map(f)));
  const timeOverheadVsFirst = paired(timePerAccessNs);
  return {
    seeds,
    policies,
    timeOverheadVsFirst,
    timeOverheadBySeed: runs.map((rs) =>
      rs.map((r, i) => overheadPercent(timePerAccessNs(r), timePerAccessNs(base[i]))),
    ),
    timeOverheadConvergence: timeOverheadVsFirst.map((e, i) =>
      i === 0 ? { converged: true } : convergenceOf(e, 'overhead', policies[0].flushEvents + policies[i].flushEvents),
    ),
    overheadVsFirst: paired((r) => r.metrics.cycles.perAccess),
  };
}
