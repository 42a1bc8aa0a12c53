import type { SimConfig } from '@tlbsim/sim-core';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { constraintError, notObjectError, unknownKeyError } from './field-error.messages';
import type { FieldError } from './field-error.type';
import { crossCheckScenario } from './scenario.cross-checks';
import { SCENARIO_DEFAULTS } from './scenario.defaults';
import { ScenarioDto } from './scenario.dto';
import { ScenarioInputError } from './scenario-input.error';
import { applyOverrides } from './scenario.overrides';
import { flattenValidationErrors } from './validation-errors.util';
import type { ScenarioGroup } from './scenario.types';

/** Result of {@link validateScenario}. */
export type ScenarioValidation = { ok: true; scenario: SimConfig } | { ok: false; errors: FieldError[] };

/** The nested groups, in `SimConfig` order. */
export const SCENARIO_GROUPS = Object.keys(SCENARIO_DEFAULTS).filter(
  (key) => key !== 'seed',
) as readonly ScenarioGroup[];

/** Keys allowed at the top level, in `SimConfig` order. */
const TOP_KEYS: readonly string[] = ['name', ...Object.keys(SCENARIO_DEFAULTS)];

/** Keys allowed under `path` (`''` is the top level). */
function allowedKeys(path: string): readonly string[] {
  if (path === '') return TOP_KEYS;
  const group = (SCENARIO_DEFAULTS as unknown as Record<string, object | undefined>)[path];
  return group && typeof group === 'object' ? Object.keys(group) : [];
}

/**
 * True for `{...}` objects (not arrays, not null, not class instances other
 * than Object), from any realm: an object made by another context's
 * `Object` (`structuredClone` under a test runner's VM context, a worker's
 * message) is as plain as one of this realm.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]';
}

/** Fills missing groups and keys from the defaults; a group that is not an object is an error. */
function withDefaults(input: Record<string, unknown>, errors: FieldError[]): Record<string, unknown> {
  const merged: Record<string, unknown> = { seed: SCENARIO_DEFAULTS.seed, ...input };
  for (const group of SCENARIO_GROUPS) {
    const given = input[group];
    if (given !== undefined && !isPlainObject(given)) errors.push(notObjectError(group, given, allowedKeys(group)));
    const base = { ...(SCENARIO_DEFAULTS[group] as object) };
    merged[group] = isPlainObject(given) ? { ...base, ...given } : base;
  }
  return merged;
}

/** class-validator's error tree as field errors with dotted paths and the limits table's messages. */
function collect(errors: readonly ValidationError[], out: FieldError[]): void {
  for (const { path, parent, value, constraints } of flattenValidationErrors(errors)) {
    const broken = Object.keys(constraints);
    if (broken.includes('whitelistValidation')) {
      out.push(unknownKeyError(path, value, allowedKeys(parent)));
    } else {
      const typeRule = broken.find((c) => c !== 'min' && c !== 'max' && c !== 'maxLength');
      for (const rule of typeRule ? [typeRule] : broken) out.push(constraintError(path, value, rule));
    }
  }
}

/** Copies exactly the `SimConfig` keys out of a merged input, in `SimConfig` order. */
function project(merged: Record<string, unknown>): SimConfig {
  const out: Record<string, unknown> = { name: merged.name, seed: merged.seed };
  for (const group of SCENARIO_GROUPS) {
    const source = merged[group] as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const key of allowedKeys(group)) copy[key] = source[key];
    out[group] = copy;
  }
  return out as unknown as SimConfig;
}

/**
 * Validates a parsed scenario (from YAML, JSON or an API body): fills
 * defaults, checks every field against {@link SCENARIO_LIMITS} and
 * {@link SCENARIO_ENUMS}, rejects unknown keys, then runs the cross-field
 * rules. On success `scenario` is a plain object of exactly the `SimConfig`
 * shape; on failure every problem is listed, each with its dotted path.
 */
export function validateScenario(input: unknown): ScenarioValidation {
  if (!isPlainObject(input)) return { ok: false, errors: [notObjectError('', input, TOP_KEYS)] };
  const errors: FieldError[] = [];
  const merged = withDefaults(input, errors);
  const dto = plainToInstance(ScenarioDto, merged);
  const found = validateSync(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  collect(found, errors);
  const scenario = project(merged);
  const invalid = new Set(errors.filter((e) => e.constraint !== 'unknownKey').map((e) => e.path));
  errors.push(...crossCheckScenario(scenario, invalid));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario };
}

/**
 * Applies `overrides` (`dotted.path=value`) to a parsed scenario, then
 * validates it: the one entry point for the CLI, `tlbsim submit` and the
 * HTTP API.
 *
 * @throws ScenarioInputError with every problem found
 */
export function buildScenario(input: unknown, overrides: readonly string[] = []): SimConfig {
  const result = validateScenario(applyOverrides(input, overrides));
  if (!result.ok) throw new ScenarioInputError(result.errors);
  return result.scenario;
}
