import type { SimConfig } from '@tlbsim/sim-core';
import type { ScenarioGroup } from './scenario.types';

/**
 * How a scenario key is declared (the declaration itself is
 * {@link SCENARIO_KEYS} in scenario.keys.ts): the shape of one key's
 * declaration by type, the type that ties the whole declaration to the
 * kernel's `SimConfig`, and the small constructors the declaration is
 * written with.
 */

/** What every key declares besides its type. */
interface KeyDeclBase {
  /** One-line meaning, for the JSON Schema, `docs/scenario.md` and the dashboard. */
  readonly description: string;
  /** Where the default comes from: a measurement, an estimate, a kernel constant, or a scenario choice. */
  readonly source: string;
}

/** A numeric key: integer or finite number, inclusive bounds. */
export interface NumberKeyDecl extends KeyDeclBase {
  readonly kind: 'integer' | 'number';
  /** Unit of the value ('' for a pure number). */
  readonly unit: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** A string key that takes one of a list of values. */
export interface EnumKeyDecl<V extends string = string> extends KeyDeclBase {
  readonly kind: 'enum';
  readonly default: V;
  readonly values: readonly V[];
}

/** A boolean switch. */
export interface BooleanKeyDecl extends KeyDeclBase {
  readonly kind: 'boolean';
  readonly default: boolean;
}

/** `name`: the one required key, a free string. */
export interface NameKeyDecl extends KeyDeclBase {
  readonly kind: 'string';
  readonly maxLength: number;
}

/** Any key's declaration. */
export type ScenarioKeyDecl = NumberKeyDecl | EnumKeyDecl | BooleanKeyDecl | NameKeyDecl;

/** The declaration a SimConfig value type calls for (`[V]`: `boolean` is a union, not to be distributed). */
export type KeyDeclOf<V> = [V] extends [number]
  ? NumberKeyDecl
  : [V] extends [boolean]
    ? BooleanKeyDecl
    : [V] extends [string]
      ? EnumKeyDecl<V>
      : never;

/** The declarations of one group: exactly the keys of `SimConfig[G]`. */
export type GroupDecl<G extends ScenarioGroup> = { readonly [K in keyof SimConfig[G]]-?: KeyDeclOf<SimConfig[G][K]> };

/** The whole declaration: `name`, `seed`, then every group, shaped like `SimConfig`. */
export type ScenarioDeclaration = { readonly name: NameKeyDecl; readonly seed: KeyDeclOf<SimConfig['seed']> } & {
  readonly [G in ScenarioGroup]: GroupDecl<G>;
};

/** The source of most defaults: a knob the scenario sets, whose default keeps the shipped example small and fast. */
const CHOICE = 'scenario choice';
/** The source of the cost defaults: each one's reasoning and references are in docs/costs.md ("Parameters"). */
const COSTS = 'docs/costs.md, Parameters';

/** The unit and source of a numeric key; `source` defaults to {@link CHOICE}. */
interface NumberSpec {
  default: number;
  min: number;
  max: number;
  unit: string;
  source?: string;
}

/** A numeric key of `kind`. */
function numberKey(kind: NumberKeyDecl['kind'], spec: NumberSpec, description: string): NumberKeyDecl {
  const { source = CHOICE, ...rest } = spec;
  return { kind, ...rest, description, source };
}

/** An integer key. */
export const int = (spec: NumberSpec, description: string): NumberKeyDecl => numberKey('integer', spec, description);
/** A real-valued key (finite). */
export const real = (spec: NumberSpec, description: string): NumberKeyDecl => numberKey('number', spec, description);

/** An enum key. */
export function oneOf<V extends string>(values: readonly V[], fallback: V, description: string): EnumKeyDecl<V> {
  return { kind: 'enum', values: [...values], default: fallback, description, source: CHOICE };
}

/** A boolean key. */
export function flag(fallback: boolean, description: string, source = CHOICE): BooleanKeyDecl {
  return { kind: 'boolean', default: fallback, description, source };
}

/** A cost in cycles, 0..1e9, whose default docs/costs.md explains. */
export const cycles = (fallback: number, description: string): NumberKeyDecl =>
  real({ default: fallback, min: 0, max: 1e9, unit: 'cycles', source: COSTS }, description);

/** A per-host event rate in simulated time, 0..1e7, off by default. */
export const perSec = (description: string): NumberKeyDecl =>
  real({ default: 0, min: 0, max: 1e7, unit: 'per host per second' }, description);

/** A message latency, 1 ns..1 s. */
export const latency = (fallback: number, description: string): NumberKeyDecl =>
  int({ default: fallback, min: 1, max: 1e9, unit: 'ns', source: 'estimate' }, description);

/** Freezes an object and every object inside it. */
export function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value))
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}
