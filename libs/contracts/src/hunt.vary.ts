import { formatValue } from './field-error.messages';
import type { FieldError } from './field-error.type';
import { SCENARIO_LIMITS, ScenarioLimit } from './scenario.limits';
import { parseGridAxis } from './sweep.plan';

/** Bounds of `tlbsim hunt`. */
export const HUNT_LIMITS = Object.freeze({
  /** Most `--vary` keys. */
  varyKeysMax: 16,
  /** Most runs of one hunt (`--budget`). */
  budgetMax: 1_000_000,
  /** Longest hunt (`--time`), in ms: one day. */
  timeMaxMs: 24 * 3600 * 1000,
});

/** One `--vary` key: a numeric range or a list of values to pick from. */
export type VaryAxis =
  | { key: string; kind: 'range'; min: number; max: number; integer: boolean }
  | { key: string; kind: 'choice'; texts: string[] };

const RANGE = /^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*\.\.\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*$/;

function varyError(text: string, why: string, constraint = 'vary', limit?: number): FieldError {
  const e: FieldError = { path: 'vary', value: text, constraint, message: `--vary ${formatValue(text)}: ${why}` };
  if (limit !== undefined) e.limit = limit;
  return e;
}

/**
 * Parses one `--vary dotted.key=min..max` (a numeric range, integers when
 * the key is an integer field) or `--vary dotted.key=a,b,c` (values to pick
 * from, coerced like `--set`). A range must lie within the key's scenario
 * limits.
 *
 * @returns the axis, or a {@link FieldError} (path `vary`)
 */
export function parseVaryAxis(text: string): VaryAxis | FieldError {
  const axis = parseGridAxis(text);
  if ('message' in axis) return { ...axis, path: 'vary', message: axis.message.replace(/^--grid/, '--vary') };
  const m = axis.texts.length === 1 ? RANGE.exec(axis.texts[0]) : null;
  if (!m) return { key: axis.key, kind: 'choice', texts: axis.texts };
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min > max) return varyError(text, `the range is empty (${min} > ${max})`);
  const limit: ScenarioLimit | undefined = (SCENARIO_LIMITS as Record<string, ScenarioLimit>)[axis.key];
  if (!limit)
    return varyError(text, `${axis.key} is not a numeric scenario key (a range needs one; use key=a,b,c for others)`);
  if (min < limit.min)
    return varyError(text, `${min} is below the minimum ${limit.min} of ${axis.key}`, 'min', limit.min);
  if (max > limit.max)
    return varyError(text, `${max} exceeds the maximum ${limit.max} of ${axis.key}`, 'max', limit.max);
  return { key: axis.key, kind: 'range', min, max, integer: limit.integer };
}
