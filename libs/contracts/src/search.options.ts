import { VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import type { FieldError } from './field-error.type';
import { HUNT_LIMITS, parseVaryAxis, VaryAxis } from './hunt.vary';
import { ScenarioInputError } from './scenario-input.error';

/** Bounds of `tlbsim shrink` and `POST /api/shrinks`. */
export const SHRINK_LIMITS = Object.freeze({
  /** Most other seeds tried once the keys are shrunk (`--seeds`). */
  seedsMax: 1000,
  /** Other seeds tried when `--seeds` is not given. */
  seedsDefault: 16,
});

/**
 * Runs of a hunt's batch: the search learns from a whole batch before it
 * picks the next one, in process and on the workers alike (so both try the
 * same runs for a hunt seed). @defaultValue 8
 */
export const HUNT_BATCH_RUNS = 8;

/** The options of a hunt as given (`tlbsim hunt` flags, `POST /api/hunts` fields). */
export interface HuntOptionsInput {
  /** `dotted.key=min..max` or `dotted.key=a,b,c`, one per varied key. */
  vary: readonly string[];
  /** Most runs. */
  budget?: number | string;
  /** Most wall time, e.g. `30s`, `10m`, `1h`. */
  time?: string;
  /** The hunt's own seed. @defaultValue 1 */
  huntSeed?: number | string;
  /** Hunt only this class. */
  class?: string;
}

/** The checked options of a hunt (the part of the engine's `HuntRequest` besides the scenario). */
export interface HuntParams {
  vary: VaryAxis[];
  budgetRuns?: number;
  timeLimitMs?: number;
  seed: number;
  violationClass?: ViolationClass;
}

/** The checked options of a shrink. */
export interface ShrinkParams {
  violationClass?: ViolationClass;
  seeds: number;
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function fieldError(
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

/** `90`, `30s`, `10m`, `1.5h` -> ms, at most {@link HUNT_LIMITS}.timeMaxMs. @returns the ms, or a {@link FieldError} (path `time`) */
export function parseDurationMs(text: string): number | FieldError {
  const m = DURATION.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : NaN;
  if (!(ms > 0) || ms > HUNT_LIMITS.timeMaxMs) {
    return fieldError(
      'time',
      text,
      'max',
      `--time: expected a duration up to 24h such as 30s, 10m or 1h, got ${text}`,
      HUNT_LIMITS.timeMaxMs,
    );
  }
  return ms;
}

/** The class, or an error naming the known ones. */
function classOf(cls: string | undefined, errors: FieldError[]): ViolationClass | undefined {
  if (cls === undefined || (VIOLATION_CLASSES as readonly string[]).includes(cls))
    return cls as ViolationClass | undefined;
  errors.push(fieldError('class', cls, 'isIn', `--class: ${cls} is not one of ${VIOLATION_CLASSES.join(', ')}`));
  return undefined;
}

/**
 * Checks the options of a hunt, shared by `tlbsim hunt` (exit 2) and
 * `POST /api/hunts` (HTTP 400).
 *
 * @throws ScenarioInputError listing every bad option with its limit
 */
export function parseHuntOptions(input: HuntOptionsInput): HuntParams {
  const errors: FieldError[] = [];
  const vary: VaryAxis[] = [];
  if (input.vary.length > HUNT_LIMITS.varyKeysMax)
    errors.push(
      fieldError(
        'vary',
        input.vary.length,
        'max',
        `--vary: at most ${HUNT_LIMITS.varyKeysMax} keys`,
        HUNT_LIMITS.varyKeysMax,
      ),
    );
  for (const text of input.vary) {
    const axis = parseVaryAxis(text);
    if ('message' in axis) errors.push(axis);
    else vary.push(axis);
  }
  const budget = input.budget === undefined ? undefined : Number(input.budget);
  if (budget !== undefined && (!Number.isInteger(budget) || budget < 1 || budget > HUNT_LIMITS.budgetMax)) {
    errors.push(
      fieldError(
        'budget',
        input.budget,
        'max',
        `--budget: expected runs 1..${HUNT_LIMITS.budgetMax}, got ${input.budget}`,
        HUNT_LIMITS.budgetMax,
      ),
    );
  }
  const seed = Number(input.huntSeed ?? 1);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    errors.push(
      fieldError(
        'huntSeed',
        input.huntSeed,
        'range',
        `--hunt-seed: expected an integer 0..4294967295, got ${input.huntSeed}`,
        0xffffffff,
      ),
    );
  }
  const violationClass = classOf(input.class, errors);
  const time = input.time === undefined ? undefined : parseDurationMs(input.time);
  if (typeof time === 'object') errors.push(time);
  if (errors.length > 0) throw new ScenarioInputError(errors);
  return { vary, budgetRuns: budget, timeLimitMs: time as number | undefined, seed, violationClass };
}

/**
 * Checks the options of a shrink (`--class`, `--seeds`), shared by
 * `tlbsim shrink` and `POST /api/shrinks`.
 *
 * @throws ScenarioInputError naming each bad option
 */
export function parseShrinkOptions(input: { class?: string; seeds?: number | string }): ShrinkParams {
  const errors: FieldError[] = [];
  const violationClass = classOf(input.class, errors);
  const seeds = Number(input.seeds ?? SHRINK_LIMITS.seedsDefault);
  if (!Number.isInteger(seeds) || seeds < 0 || seeds > SHRINK_LIMITS.seedsMax) {
    errors.push(
      fieldError(
        'seeds',
        input.seeds,
        'range',
        `--seeds: expected an integer 0..${SHRINK_LIMITS.seedsMax}, got ${input.seeds}`,
        SHRINK_LIMITS.seedsMax,
      ),
    );
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
  return { violationClass, seeds };
}
