/**
 * Sensitivity of a comparison's verdict to the cost parameters that have no
 * public source (docs/costs.md "Parameters" and "Sensitivity"): each is
 * tried at both ends of a documented plausible range; where the cheapest
 * policy changes, the break-even value is found by bisection over re-runs.
 */
import type { CostsConfig, SimConfig } from '@tlbsim/sim-core';
import { cheapestCorrectOf, cheapestWithoutViolationOf } from './compare.figures';
import { comparisonEstimatesOf, verdictCandidateOfAll } from './replications';
import type { RunReport } from './report';

/** An unsourced cost parameter and the range it is tried over. */
export interface SensitivityParam {
  key: keyof CostsConfig;
  min: number;
  max: number;
  /** Why the range: what is known and what is not. */
  why: string;
}

/** The unsourced cost parameters and their plausible ranges (docs/costs.md "Sensitivity"). */
export const SENSITIVITY_PARAMS: readonly SensitivityParam[] = Object.freeze([
  { key: 'asidFlushCycles', min: 0, max: 2000, why: 'a VMCB write; the refill is counted apart' },
  { key: 'inveptCycles', min: 1000, max: 20000, why: 'no public INVEPT latency; bare metal to a nested exit' },
  { key: 'hypercallBaseCycles', min: 5000, max: 80000, why: 'no public latency; a quarter to four exit round trips' },
  {
    key: 'hypercallPerVpCycles',
    min: 2000,
    max: 80000,
    why: "the 2025 data point's optimistic (2,000) to four times its serialized reading",
  },
  { key: 'ipiCycles', min: 1000, max: 10000, why: 'no direct measurement on this setup' },
  { key: 'rootAllocCycles', min: 500, max: 20000, why: 'a page zeroed and root bookkeeping; no public number' },
]);

/**
 * The verdict a sensitivity follows, of a comparison's runs (`runs[p]`: the
 * replications of policy p, on the same seeds): the cheapest correct policy,
 * else the cheapest with no violation; null when every policy has one. One
 * rule for the CLI and the coordinator, in process and on the workers.
 */
export function comparisonVerdictOf(runs: readonly (readonly RunReport[])[]): string | null {
  const candidates = comparisonEstimatesOf(runs).policies.map(verdictCandidateOfAll);
  return cheapestCorrectOf(candidates) ?? cheapestWithoutViolationOf(candidates);
}

/** The policies' configs of a comparison with the costs of `config` (a sensitivity re-run). */
export function comparisonAt(configs: readonly SimConfig[], config: SimConfig): SimConfig[] {
  return configs.map((p) => ({ ...p, costs: config.costs }));
}

/** A sensitivity analysis of a compare run by the coordinator (`POST /api/compare/:groupId/sensitivity`). */
export interface SensitivityRun {
  groupId: string;
  state: 'running' | 'completed' | 'failed';
  /** The verdict at the scenario's costs: the cheapest correct policy, else the cheapest with no violation. */
  verdict: string | null;
  /** Re-runs of the comparison finished so far (each a compare job on the workers). */
  reruns: number;
  /** Per unsourced cost parameter, once completed; else null. */
  params: ParamSensitivity[] | null;
  /** Why it failed, else null. */
  error: string | null;
}

/** The verdict of a comparison at a config: the name of the cheapest policy, or null. */
export type VerdictAt = (config: SimConfig) => Promise<string | null>;

/** Where the verdict changes toward one end of a parameter's range. */
export interface VerdictFlip {
  toward: 'min' | 'max';
  /** The verdict at that end. */
  verdict: string | null;
  /** The value the bisection narrowed the change to (the middle of `between`). */
  breakEven: number;
  /** The last value with the default's verdict and the first with another, in that order. */
  between: [number, number];
}

/** The sensitivity of the verdict to one parameter. */
export interface ParamSensitivity {
  parameter: string;
  /** The scenario's value. */
  value: number;
  /** The range tried (widened to include the scenario's value). */
  range: [number, number];
  why: string;
  /** The verdict holds over the whole range. */
  holds: boolean;
  flips: VerdictFlip[];
  /** Re-runs of the comparison this parameter took. */
  evaluations: number;
}

/** The config with one cost parameter set. */
function withCost(config: SimConfig, key: keyof CostsConfig, value: number): SimConfig {
  return { ...config, costs: { ...config.costs, [key]: value } };
}

/** Bisects between `same` (the default's verdict) and `other` (another) for `steps` re-runs. */
async function bisect(
  at: (value: number) => Promise<string | null>,
  verdict: string | null,
  same: number,
  other: number,
  steps: number,
): Promise<[number, number]> {
  for (let i = 0; i < steps; i++) {
    const mid = (same + other) / 2;
    if ((await at(mid)) === verdict) same = mid;
    else other = mid;
  }
  return [same, other];
}

/** Options of {@link sensitivityOf}. */
export interface SensitivityOptions {
  /** Bisection re-runs per flip. @defaultValue 4 */
  steps?: number;
  /** The parameters tried. @defaultValue {@link SENSITIVITY_PARAMS} */
  params?: readonly SensitivityParam[];
  /**
   * Try the parameters at once (each its own sequence of re-runs): on the
   * workers, their comparisons run side by side. The result is the same
   * either way, since each re-run's verdict depends on its config only.
   * @defaultValue false
   */
  parallel?: boolean;
}

/**
 * The sensitivity of the verdict `verdict` (at `config`) to each unsourced
 * cost parameter: the verdict at both ends of its range, and where one
 * differs, the break-even value after `steps` bisection re-runs (a number:
 * `{ steps }`).
 */
export async function sensitivityOf(
  config: SimConfig,
  verdict: string | null,
  verdictAt: VerdictAt,
  stepsOrOptions: number | SensitivityOptions = {},
): Promise<ParamSensitivity[]> {
  const o: SensitivityOptions = typeof stepsOrOptions === 'number' ? { steps: stepsOrOptions } : stepsOrOptions;
  const steps = o.steps ?? 4;
  const list = o.params ?? SENSITIVITY_PARAMS;
  const one = (p: SensitivityParam): Promise<ParamSensitivity> =>
    paramSensitivity(config, verdict, verdictAt, p, steps);
  if (o.parallel) return Promise.all(list.map(one));
  const out: ParamSensitivity[] = [];
  for (const p of list) out.push(await one(p));
  return out;
}

/** The sensitivity of the verdict to one parameter: both ends, then a bisection toward each end that changes it. */
async function paramSensitivity(
  config: SimConfig,
  verdict: string | null,
  verdictAt: VerdictAt,
  p: SensitivityParam,
  steps: number,
): Promise<ParamSensitivity> {
  const value = config.costs[p.key];
  let evaluations = 0;
  const at = (v: number): Promise<string | null> => {
    evaluations++;
    return verdictAt(withCost(config, p.key, v));
  };
  const range: [number, number] = [Math.min(p.min, value), Math.max(p.max, value)];
  const flips: VerdictFlip[] = [];
  for (const [toward, end] of [
    ['min', range[0]],
    ['max', range[1]],
  ] as const) {
    if (end === value) continue;
    const there = await at(end);
    if (there === verdict) continue;
    const between = await bisect(at, verdict, value, end, steps);
    flips.push({ toward, verdict: there, breakEven: (between[0] + between[1]) / 2, between });
  }
  return { parameter: `costs.${p.key}`, value, range, why: p.why, holds: flips.length === 0, flips, evaluations };
}
