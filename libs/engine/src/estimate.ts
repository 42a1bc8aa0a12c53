/**
 * The statistics of every cost figure tlbsim prints: replication seeds,
 * means with 95% Student's t intervals, paired differences (common random
 * numbers) and the convergence rule. One module: the CLI, the sweep rows,
 * the coordinator and the dashboard (by type) all take their figures from
 * here (docs/costs.md "Replications and intervals").
 */

/** Two-sided 95% quantiles of Student's t, t(0.975, df), for df = 1..30. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The normal quantile z(0.975). */
const Z975 = 1.959963985;

/**
 * t(0.975, df): the factor of a 95% interval's half-width over the standard
 * error of a mean of df + 1 values. The table for df <= 30, above it the
 * Cornish-Fisher expansion around the normal quantile (error below 1e-4).
 *
 * @throws RangeError for df below 1
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`t quantile: degrees of freedom ${df} below 1`);
  if (df <= T975.length && Number.isInteger(df)) return T975[df - 1];
  const z = Z975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** A figure over replications: its mean and the half-width of its 95% interval. */
export interface Estimate {
  /** Mean over the replications: the point estimate. */
  mean: number;
  /** Half-width of the 95% Student's t interval; null with one replication (no interval). */
  ci95: number | null;
  /** Replications behind it. */
  n: number;
}

/**
 * Mean and 95% interval of independent values (one per replication):
 * mean +- t(0.975, n - 1) * s / sqrt(n), s the sample standard deviation.
 *
 * @throws RangeError for no values
 */
export function estimateOf(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) throw new RangeError('an estimate needs at least one value');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, ci95: null, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, ci95: (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n), n };
}

/**
 * How much `value` exceeds `base`, in percent: `(value / base - 1) * 100`;
 * 0 when the base costs nothing.
 */
export function overheadPercent(value: number, base: number): number {
  return base === 0 ? 0 : (value / base - 1) * 100;
}

/**
 * The overhead of `other` against `base`, paired by replication (both ran
 * on the same seeds: common random numbers): the estimate of the per-seed
 * overheads, whose spread leaves out what the seeds share.
 *
 * @throws RangeError when the two lists differ in length or are empty
 */
export function pairedOverheadOf(base: readonly number[], other: readonly number[]): Estimate {
  if (base.length !== other.length)
    throw new RangeError(`paired overhead: ${other.length} replications against ${base.length}`);
  return estimateOf(other.map((v, i) => overheadPercent(v, base[i])));
}

/** The replication seeds live with the scenario format (sweep plans need them); every layer takes them from there. */
export { replicationSeeds } from '@tlbsim/contracts';

/**
 * When a figure is converged (docs/costs.md "Convergence"): its 95%
 * interval is narrow enough and it rests on enough events.
 */
export const CONVERGENCE = Object.freeze({
  /** Widest interval of an overhead, percentage points either side. */
  overheadCi95PpMax: 2,
  /** Widest interval of any other figure, as a share of its mean either side. */
  relativeCi95Max: 0.05,
  /**
   * Fewest flush events (hypercalls plus root loads after the warm-up, over
   * all replications of the policies behind the figure) a figure may rest
   * on: a count of 400 has a relative standard error of 1/sqrt(400) = 5%.
   */
  costEventsMin: 400,
  /** Replications suggested when a figure has none to give an interval from. */
  replicationsMin: 5,
});

/** Whether a figure is converged, and if not why and what would get it there. */
export interface Convergence {
  converged: boolean;
  /** Why not, in a few words (absent when converged). */
  reason?: string;
  /** Replications that would narrow the interval below the threshold (when that is what is missing). */
  replicationsNeeded?: number;
  /** How many times longer the measured interval must be to reach the event floor (when that is what is missing). */
  lengthFactorNeeded?: number;
}

/**
 * The convergence of an estimate: `kind` `overhead` (percentage points,
 * threshold {@link CONVERGENCE}.overheadCi95PpMax) or `relative` (a share of
 * the mean); `events` the flush events behind it (see
 * {@link CONVERGENCE}.costEventsMin).
 */
export function convergenceOf(e: Estimate, kind: 'overhead' | 'relative', events: number): Convergence {
  const max = kind === 'overhead' ? CONVERGENCE.overheadCi95PpMax : CONVERGENCE.relativeCi95Max * Math.abs(e.mean);
  const reasons: string[] = [];
  const out: Convergence = { converged: true };
  if (e.ci95 === null) {
    reasons.push('one replication, no interval');
    out.replicationsNeeded = CONVERGENCE.replicationsMin;
  } else if (e.ci95 > max) {
    const unit = kind === 'overhead' ? ' pp' : '';
    reasons.push(`interval ±${round2(e.ci95)}${unit} wider than ±${round2(max)}${unit}`);
    // The half-width falls as 1/sqrt(n) (t shrinking too, which this leaves as a margin).
    out.replicationsNeeded = Math.max(e.n + 1, Math.ceil(e.n * (e.ci95 / Math.max(max, 1e-12)) ** 2));
  }
  if (events < CONVERGENCE.costEventsMin) {
    reasons.push(`rests on ${events} flush events, fewer than ${CONVERGENCE.costEventsMin}`);
    out.lengthFactorNeeded = events > 0 ? Math.ceil((10 * CONVERGENCE.costEventsMin) / events) / 10 : Infinity;
  }
  if (reasons.length > 0) {
    out.converged = false;
    out.reason = reasons.join('; ');
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
