import { POLICY_BASES, POLICY_MODIFIERS, POLICY_NAMES } from '@tlbsim/sim-core';
import { closestName } from './closest-name.util';
import type { FieldError } from './field-error.type';
import { SCENARIO_ENUMS, SCENARIO_LIMITS, SCENARIO_TOTALS, ScenarioLimit } from './scenario.limits';

/**
 * Short, single-line rendering of a value for messages: strings quoted,
 * objects as truncated JSON, `undefined` spelled out.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Builds a {@link FieldError}, prefixing the message with the path. */
function make(path: string, value: unknown, constraint: string, text: string, limit?: number | string): FieldError {
  const error: FieldError = { path, value, constraint, message: `${path || 'scenario'}: ${text}` };
  if (limit !== undefined) error.limit = limit;
  return error;
}

/** `min..max` of a limit, for type errors. */
function range(limit: ScenarioLimit): string {
  return `${limit.min}..${limit.max}`;
}

/**
 * The accepted values of an enumerated field as an error message names them:
 * the list, except for the flush policies, whose 20 names are a base and
 * optional modifiers (sim-core `POLICY_BASES`, `POLICY_MODIFIERS`), said so.
 */
export function allowedText(values: readonly string[]): string {
  const isPolicies = values.length === POLICY_NAMES.length && POLICY_NAMES.every((p) => values.includes(p));
  if (!isPolicies) return values.join(', ');
  const modifiers = POLICY_MODIFIERS.map((m) => `+${m}`).join(' and/or ');
  return `${POLICY_BASES.join(', ')}, each optionally followed by ${modifiers} (in that order)`;
}

/**
 * Turns one broken class-validator constraint on a scenario field into a
 * {@link FieldError} whose message names the path, the value and the limit,
 * e.g. `fleet.hosts: 5000 exceeds the maximum 4096`.
 */
export function constraintError(path: string, value: unknown, constraint: string): FieldError {
  const limit: ScenarioLimit | undefined = (SCENARIO_LIMITS as Record<string, ScenarioLimit>)[path];
  const values: readonly string[] | undefined = (SCENARIO_ENUMS as Record<string, readonly string[]>)[path];
  const shown = formatValue(value);
  switch (constraint) {
    case 'min':
      return make(path, value, 'min', `${shown} is below the minimum ${limit?.min}`, limit?.min);
    case 'max':
      return make(path, value, 'max', `${shown} exceeds the maximum ${limit?.max}`, limit?.max);
    case 'isInt':
    case 'isNumber': {
      const kind = constraint === 'isInt' ? 'an integer' : 'a finite number';
      const bounds = limit ? range(limit) : undefined;
      return make(path, value, constraint, `${shown} is not ${kind} (allowed: ${bounds})`, bounds);
    }
    case 'isIn': {
      const allowed = allowedText(values ?? []);
      const guess = typeof value === 'string' ? closestName(value, values ?? []) : null;
      return make(
        path,
        value,
        'isIn',
        `${shown} is not one of ${allowed}${guess ? `; did you mean ${guess}?` : ''}`,
        allowed,
      );
    }
    case 'isBoolean':
      return make(path, value, 'isBoolean', `${shown} is not a boolean (allowed: true, false)`, 'true, false');
    case 'maxLength': {
      const max = SCENARIO_TOTALS.nameMaxLength;
      return make(path, value, 'maxLength', `${shown} is longer than the maximum ${max} characters`, max);
    }
    case 'isString':
    case 'isNotEmpty':
      if (value === undefined) return make(path, value, 'isDefined', 'is required (a non-empty string)');
      return make(path, value, constraint, `${shown} is not a non-empty string`);
    default:
      return make(path, value, constraint, `${shown} is not acceptable (${constraint})`);
  }
}

/** A {@link FieldError} for a key the scenario format does not know, with the known key it most likely meant. */
export function unknownKeyError(path: string, value: unknown, allowed: readonly string[]): FieldError {
  const list = allowed.join(', ');
  const at = path.lastIndexOf('.');
  const guess = closestName(path.slice(at + 1), allowed);
  const hint = guess ? `; did you mean ${path.slice(0, at + 1)}${guess}?` : '';
  return make(
    path,
    value,
    'unknownKey',
    `unknown key (value ${formatValue(value)}); allowed here: ${list}${hint}`,
    list,
  );
}

/** A {@link FieldError} for a group (or the whole input) that is not an object. */
export function notObjectError(path: string, value: unknown, allowed: readonly string[]): FieldError {
  const list = allowed.join(', ');
  return make(path, value, 'isObject', `${formatValue(value)} is not an object (a mapping with keys ${list})`, list);
}

/** A {@link FieldError} for a rule that relates two fields. */
export function crossFieldError(
  path: string,
  value: unknown,
  constraint: string,
  text: string,
  limit: number,
): FieldError {
  return make(path, value, constraint, `${formatValue(value)} ${text}`, limit);
}

/** A {@link FieldError} about the whole input (file or syntax), with path `''`. */
export function inputError(constraint: string, value: unknown, text: string): FieldError {
  return { path: '', value, constraint, message: text };
}
