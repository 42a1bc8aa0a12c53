import { formatValue, inputError } from './field-error.messages';
import type { FieldError } from './field-error.type';
import { ScenarioInputError } from './scenario-input.error';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Turns the text of an override value into a value: numbers, `true` and
 * `false` are coerced, a double-quoted text is kept as a string without its
 * quotes, anything else is a string.
 */
export function coerceOverrideValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text)) return Number(text);
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  return text;
}

/** A parsed `dotted.path=value` override. */
export interface ScenarioOverride {
  /** Path segments, e.g. `['fleet', 'hosts']`. */
  keys: string[];
  /** Coerced value. */
  value: unknown;
}

/**
 * Parses one `dotted.path=value` override.
 *
 * @returns the override, or a {@link FieldError} (constraint `override`)
 */
export function parseOverride(text: string): ScenarioOverride | FieldError {
  const eq = text.indexOf('=');
  const path = eq < 0 ? text : text.slice(0, eq).trim();
  const bad = (why: string): FieldError => ({
    ...inputError('override', text, `override ${formatValue(text)}: ${why}`),
    path: eq < 0 ? '' : path,
  });
  if (eq < 0) return bad('expected dotted.path=value, e.g. fleet.hosts=4');
  const keys = path.split('.');
  if (path === '' || keys.some((k) => !KEY.test(k)))
    return bad('the path must be dotted identifiers, e.g. fleet.hosts');
  if (keys.some((k) => FORBIDDEN_KEYS.has(k))) return bad(`the path may not contain ${[...FORBIDDEN_KEYS].join(', ')}`);
  const raw = text.slice(eq + 1).trim();
  if (raw === '') return bad('the value is empty');
  return { keys, value: coerceOverrideValue(raw) };
}

/** Deep-copies plain objects and arrays so overrides never touch the caller's input. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clone(v);
  return out;
}

/** Sets `keys` in `root`, creating groups; returns an error text if a non-object is in the way. */
function setPath(root: Record<string, unknown>, keys: string[], value: unknown): string | undefined {
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]];
    if (next === undefined) node[keys[i]] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      return `${keys.slice(0, i + 1).join('.')} is ${formatValue(next)}, not an object`;
    }
    node = node[keys[i]] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return undefined;
}

/**
 * Applies `dotted.path=value` overrides, in order, to a copy of a parsed
 * scenario (see {@link coerceOverrideValue} for value coercion). Unknown paths
 * are set anyway, so that validation reports them as unknown keys. A
 * non-object input is returned as is, for validation to report.
 *
 * @throws ScenarioInputError listing every malformed override
 */
export function applyOverrides(input: unknown, overrides: readonly string[]): unknown {
  if (overrides.length === 0 || typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const copy = clone(input) as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const text of overrides) {
    const parsed = parseOverride(text);
    if ('message' in parsed) {
      errors.push(parsed);
      continue;
    }
    const blocked = setPath(copy, parsed.keys, parsed.value);
    if (blocked)
      errors.push({
        ...inputError('override', text, `override ${formatValue(text)}: ${blocked}`),
        path: parsed.keys.join('.'),
      });
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
  return copy;
}

/** The shorthands of `run`/`submit`/`compare` and of an API submission, each standing for one override. */
export interface OverrideShorthands {
  /** `--seed N` / `seed`: `seed=N`. */
  seed?: string | number;
  /** `--policy P` / `policy`: `kvm.policy="P"`. */
  policy?: string;
  /** `--shards N` / `shards`: `run.shards=N`. */
  shards?: string | number;
  /** `--replications N` / `replications`: `run.replications=N`. */
  replications?: string | number;
}

/**
 * The overrides of a CLI command or an API submission: every `--set` /
 * `overrides` entry in order, then the shorthands (so they win). The one
 * rule both the CLI and the coordinator apply.
 */
export function withShorthands(overrides: readonly string[], shorthands: OverrideShorthands): string[] {
  const out = [...overrides];
  if (shorthands.seed !== undefined) out.push(`seed=${shorthands.seed}`);
  // Quoted, so a numeric-looking policy stays a string and is reported as an unknown policy.
  if (shorthands.policy !== undefined) out.push(`kvm.policy="${shorthands.policy}"`);
  if (shorthands.shards !== undefined) out.push(`run.shards=${shorthands.shards}`);
  if (shorthands.replications !== undefined) out.push(`run.replications=${shorthands.replications}`);
  return out;
}
