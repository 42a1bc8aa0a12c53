import { accessesTotalOf, ScenarioInputError, SWEEP_LIMITS, SweepState } from '@tlbsim/contracts';
import { comparisonConfigs, RunReport } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { StoredSweepPoint, SweepMeta, sweepMetaHeaderOf } from './sweep.repository';

/** The letter of compare job ids (`c-...`; a group of jobs is `g-...`). */
export const COMPARE_JOB_LETTER = 'c';

/** Whether `id` names a compare job (not a group of jobs): the coordinator looks in the sweep store only then. */
export function isCompareJobId(id: string): boolean {
  return id.startsWith(`${COMPARE_JOB_LETTER}-`);
}

/**
 * A compare job on the workers (`tlbsim compare --redis`, `POST
 * /api/compare` with replications, the re-runs of a sensitivity): every
 * policy on every replication seed, one point each, and the reports of
 * those finished.
 */
export interface CompareJobView {
  id: string;
  /** Scenario name. */
  name: string;
  state: SweepState;
  createdAt: string;
  finishedAt: string | null;
  /** In the order given; the first is the baseline. */
  policies: string[];
  /** The replication seeds every policy runs (common random numbers). */
  seeds: number[];
  /** Points (policies x seeds). */
  points: number;
  pointsDone: number;
  /** Why it failed, else null. */
  error: string | null;
  /** `runs[p][r]`: the report of policy p on seed r, null until it finished. */
  runs: (RunReport | null)[][];
}

/**
 * The points of a compare job: seed outermost, then the policies (so a
 * seed's policies, the pairs of the paired overheads, finish close
 * together). Each point runs one replication's config as `runReplications`
 * would in process, so its report and digest are the same.
 */
export function comparePointsOf(configs: readonly SimConfig[]): StoredSweepPoint[] {
  const byPolicy = comparisonConfigs(configs);
  const seeds = byPolicy[0]?.length ?? 0;
  const points: StoredSweepPoint[] = [];
  for (let r = 0; r < seeds; r++)
    for (const reps of byPolicy) {
      const config = reps[r];
      points.push({ index: points.length, grid: {}, policy: config.kvm.policy, seed: config.seed, config });
    }
  return points;
}

/**
 * Checks a compare job against the bounds of a sweep ({@link SWEEP_LIMITS}:
 * points and guest accesses over all of them), since its points share the
 * workers the same way.
 *
 * @throws ScenarioInputError naming `replications` and the limit
 */
export function checkComparePoints(points: readonly StoredSweepPoint[]): void {
  const accesses = points.reduce((a, p) => a + accessesTotalOf(p.config), 0);
  const over =
    points.length > SWEEP_LIMITS.pointsMax
      ? `${points.length} runs (policies x replications) exceed the maximum ${SWEEP_LIMITS.pointsMax}`
      : accesses > SWEEP_LIMITS.accessesMax
        ? `${points.length} runs x their accesses = ${accesses} guest accesses exceed the maximum ${SWEEP_LIMITS.accessesMax} (fewer replications, workload.accessesPerVcpu or run.simulatedMs)`
        : null;
  if (over === null) return;
  const limit = points.length > SWEEP_LIMITS.pointsMax ? SWEEP_LIMITS.pointsMax : SWEEP_LIMITS.accessesMax;
  throw new ScenarioInputError([
    { path: 'replications', value: points.length, constraint: 'max', message: `compare: ${over}`, limit },
  ]);
}

/** The view of a compare job from its metadata, its points' seeds and its reports (in point order). */
export function compareJobViewOf(
  meta: SweepMeta,
  seeds: number[],
  reports: readonly (RunReport | null)[],
): CompareJobView {
  const p = meta.policies.length;
  const runs = meta.policies.map((_, i) => seeds.map((_s, r) => reports[r * p + i] ?? null));
  return {
    ...sweepMetaHeaderOf(meta),
    policies: meta.policies,
    seeds,
    points: meta.points,
    pointsDone: reports.filter((x) => x !== null).length,
    error: meta.error,
    runs,
  };
}
