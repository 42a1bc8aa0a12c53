import type { PolicyName, SimConfig } from '@tlbsim/sim-core';
import { formatValue } from './field-error.messages';
import type { FieldError } from './field-error.type';
import { SCENARIO_LIMITS } from './scenario.limits';
import { coerceOverrideValue, parseOverride } from './scenario.overrides';
import { policyListErrors } from './policy-list.validator';
import { replicationSeeds } from './replication.seeds';
import { accessesTotalOf } from './scenario.totals';
import { ScenarioInputError } from './scenario-input.error';
import { buildScenario } from './scenario.validator';
import type { GridValue } from './sweep.types';

/**
 * Bounds of a sweep, shared by `tlbsim sweep` (exit 2) and
 * `POST /api/sweeps` (HTTP 400).
 */
export const SWEEP_LIMITS = Object.freeze({
  /** Most points (grid combinations x policies x seeds). */
  pointsMax: 4096,
  /** Most guest accesses over all points: the sum of what each can make (`accessesTotalOf`: `vCPUs * accessesPerVcpu`, bounded by `run.simulatedMs`). */
  accessesMax: 4e9,
  /** Most `--grid` keys. */
  gridKeysMax: 8,
  /** Most values of one grid key. */
  valuesPerKeyMax: 256,
  /** Most seeds per point. */
  seedsMax: 1000,
});

/** One parsed `--grid dotted.key=v1,v2,...`. */
export interface GridAxis {
  key: string;
  /** The value texts, as given (each becomes the override `key=text`). */
  texts: string[];
  /** The values, coerced like `--set`. */
  values: GridValue[];
}

/** What a sweep is asked to run, besides the scenario. */
export interface SweepRequest {
  /** `dotted.key=v1,v2,...`, one per grid key. */
  grid: readonly string[];
  /** Policies of each point; the first is the baseline. @defaultValue the scenario's policy */
  policies?: readonly string[];
  /** Seeds per point: the scenario's seed, seed+1, ... @defaultValue 1 */
  seeds?: number;
  /** `dotted.path=value` overrides applied before the grid. @defaultValue [] */
  overrides?: readonly string[];
}

/** One run of a sweep. */
export interface SweepPoint {
  index: number;
  grid: Record<string, GridValue>;
  policy: string;
  seed: number;
  config: SimConfig;
}

/** A validated sweep: every point's scenario, in table order. */
export interface SweepPlan {
  name: string;
  gridKeys: string[];
  policies: string[];
  seeds: number;
  points: SweepPoint[];
  /** Sum of the points' guest accesses. */
  accessesTotal: number;
}

function sweepError(
  path: string,
  value: unknown,
  constraint: string,
  message: string,
  limit?: number | string,
): FieldError {
  const e: FieldError = { path, value, constraint, message };
  if (limit !== undefined) e.limit = limit;
  return e;
}

/**
 * Parses one `dotted.key=v1,v2,...` grid option.
 *
 * @returns the axis, or a {@link FieldError} (path `grid`)
 */
export function parseGridAxis(text: string): GridAxis | FieldError {
  const parsed = parseOverride(text);
  if ('message' in parsed)
    return {
      ...parsed,
      path: 'grid',
      message: `--grid ${formatValue(text)}: ${parsed.message.replace(/^override [^:]*: /, '')}`,
    };
  const texts = text
    .slice(text.indexOf('=') + 1)
    .split(',')
    .map((s) => s.trim());
  if (texts.some((t) => t === ''))
    return sweepError(
      'grid',
      text,
      'grid',
      `--grid ${formatValue(text)}: empty value in the list (expected key=v1,v2,...)`,
    );
  if (texts.length > SWEEP_LIMITS.valuesPerKeyMax) {
    return sweepError(
      'grid',
      text,
      'max',
      `--grid ${parsed.keys.join('.')}: ${texts.length} values exceed the maximum ${SWEEP_LIMITS.valuesPerKeyMax}`,
      SWEEP_LIMITS.valuesPerKeyMax,
    );
  }
  return { key: parsed.keys.join('.'), texts, values: texts.map((t) => coerceOverrideValue(t) as GridValue) };
}

/** Parses and checks every grid option (count, syntax, repeated keys). */
function parseGrid(grid: readonly string[], errors: FieldError[]): GridAxis[] {
  if (grid.length > SWEEP_LIMITS.gridKeysMax) {
    errors.push(
      sweepError(
        'grid',
        grid.length,
        'max',
        `--grid: ${grid.length} keys exceed the maximum ${SWEEP_LIMITS.gridKeysMax}`,
        SWEEP_LIMITS.gridKeysMax,
      ),
    );
  }
  const axes: GridAxis[] = [];
  for (const text of grid) {
    const axis = parseGridAxis(text);
    if ('message' in axis) errors.push(axis);
    else if (axes.some((a) => a.key === axis.key))
      errors.push(sweepError('grid', text, 'unique', `--grid: ${axis.key} is given more than once`));
    else axes.push(axis);
  }
  return axes;
}

/** Every combination of the axes' value indexes, the first axis outermost. */
function combinations(axes: readonly GridAxis[]): number[][] {
  let out: number[][] = [[]];
  for (const axis of axes) out = out.flatMap((c) => axis.texts.map((_, i) => [...c, i]));
  return out;
}

/**
 * Expands a sweep into its points: the cross product of the grid (first key
 * outermost), then seeds, then policies (so a grid point's policies are
 * adjacent). Each grid combination is validated like `--set`; the size of
 * the sweep is checked against {@link SWEEP_LIMITS}. Pure.
 *
 * @throws ScenarioInputError listing every problem (bad grid, bad policy, a grid value out of its limits, a sweep too big)
 */
export function planSweep(input: unknown, request: SweepRequest): SweepPlan {
  const errors: FieldError[] = [];
  const overrides = request.overrides ?? [];
  const axes = parseGrid(request.grid, errors);
  const seeds = request.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > SWEEP_LIMITS.seedsMax) {
    errors.push(
      sweepError(
        'seeds',
        seeds,
        'range',
        `--seeds: ${formatValue(seeds)} is not an integer 1..${SWEEP_LIMITS.seedsMax}`,
        SWEEP_LIMITS.seedsMax,
      ),
    );
  }
  const base = buildScenario(input, overrides);
  // `--replications N` (run.replications): each point on N seeds derived from the scenario's, instead of seed, seed+1, ...
  const replications = base.run.replications;
  if (replications > 1 && seeds > 1)
    errors.push(
      sweepError(
        'seeds',
        seeds,
        'exclusive',
        `--seeds ${seeds} and run.replications ${replications}: give one (replications derive their seeds from the scenario's)`,
      ),
    );
  const policies = request.policies && request.policies.length > 0 ? [...request.policies] : [base.kvm.policy];
  errors.push(...policyListErrors(policies));
  if (request.policies?.length && axes.some((a) => a.key === 'kvm.policy')) {
    errors.push(sweepError('grid', 'kvm.policy', 'exclusive', '--grid kvm.policy: use --policies to vary the policy'));
  }
  const combos = combinations(axes);
  const perPoint = replications > 1 ? replications : Math.max(1, seeds);
  const count = combos.length * policies.length * perPoint;
  if (count > SWEEP_LIMITS.pointsMax) {
    errors.push(
      sweepError(
        'sweep',
        count,
        'max',
        `sweep: ${count} points (grid x policies x seeds) exceed the maximum ${SWEEP_LIMITS.pointsMax}`,
        SWEEP_LIMITS.pointsMax,
      ),
    );
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
  const seeding = { count: perPoint, derived: replications > 1 };
  return expand(input, overrides, axes, combos, policies, seeding);
}

/** Builds the points of a checked request; throws on grid values out of limits or a sweep too big. */
function expand(
  input: unknown,
  overrides: readonly string[],
  axes: GridAxis[],
  combos: number[][],
  policies: string[],
  seeding: { count: number; derived: boolean },
): SweepPlan {
  const seeds = seeding.count;
  // Replications: seeds derived from the scenario's; else seed, seed+1, ...
  const seedsOf = (seed: number): number[] =>
    seeding.derived ? replicationSeeds(seed, seeds) : Array.from({ length: seeds }, (_, s) => seed + s);
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const points: SweepPoint[] = [];
  let accessesTotal = 0;
  for (const combo of combos) {
    const gridOverrides = combo.map((v, k) => `${axes[k].key}=${axes[k].texts[v]}`);
    let cfg: SimConfig;
    try {
      cfg = buildScenario(input, [...overrides, ...gridOverrides]);
    } catch (error) {
      if (!(error instanceof ScenarioInputError)) throw error;
      // Once per problem: an unknown grid key fails every value of its axis the same way.
      for (const e of error.errors) {
        const key = e.constraint === 'unknownKey' ? `${e.path}: unknown key` : e.message;
        if (!seen.has(key)) {
          seen.add(key);
          errors.push(e);
        }
      }
      continue;
    }
    const grid = Object.fromEntries(combo.map((v, k) => [axes[k].key, axes[k].values[v]]));
    if (!seeding.derived && cfg.seed + seeds - 1 > SCENARIO_LIMITS.seed.max) {
      errors.push(
        sweepError(
          'seeds',
          seeds,
          'max',
          `--seeds: seed ${cfg.seed} + ${seeds - 1} exceeds the maximum seed ${SCENARIO_LIMITS.seed.max}`,
          SCENARIO_LIMITS.seed.max,
        ),
      );
      break;
    }
    for (const seed of seedsOf(cfg.seed)) {
      for (const policy of policies) {
        const run = { ...cfg.run, replications: 1 };
        const config: SimConfig = { ...cfg, seed, run, kvm: { ...cfg.kvm, policy: policy as PolicyName } };
        accessesTotal += accessesTotalOf(config);
        points.push({ index: points.length, grid, policy, seed: config.seed, config });
      }
    }
  }
  if (accessesTotal > SWEEP_LIMITS.accessesMax) {
    errors.push(
      sweepError(
        'sweep',
        accessesTotal,
        'max',
        `sweep: ${points.length} points x their accesses = ${accessesTotal} guest accesses exceed the maximum ${SWEEP_LIMITS.accessesMax} (fewer grid values, seeds, workload.accessesPerVcpu or run.simulatedMs)`,
        SWEEP_LIMITS.accessesMax,
      ),
    );
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
  const name = points[0]?.config.name ?? '';
  return { name, gridKeys: axes.map((a) => a.key), policies, seeds, points, accessesTotal };
}
