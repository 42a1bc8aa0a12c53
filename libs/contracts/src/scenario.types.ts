import type { SimConfig } from '@tlbsim/sim-core';

/** The nested groups of a scenario (every top-level key except `name` and `seed`). */
export type ScenarioGroup = Exclude<keyof SimConfig, 'name' | 'seed'>;

/** Every scenario key except `name`: what {@link SCENARIO_DEFAULTS} provides. */
export type ScenarioDefaults = Omit<SimConfig, 'name'>;

/** Dotted paths of the leaves of group `G` whose value type extends `T`. */
type GroupLeaf<G extends ScenarioGroup, T> = {
  [K in keyof SimConfig[G]]: SimConfig[G][K] extends T ? `${G}.${K & string}` : never;
}[keyof SimConfig[G]];

/** Dotted path of a numeric scenario field, e.g. `'fleet.hosts'`. */
export type NumericPath = 'seed' | { [G in ScenarioGroup]: GroupLeaf<G, number> }[ScenarioGroup];

/** Dotted path of a string-enum scenario field, e.g. `'kvm.policy'`. */
export type EnumPath = { [G in ScenarioGroup]: GroupLeaf<G, string> }[ScenarioGroup];

/** Dotted path of any leaf of a scenario, e.g. `'platform.enlightenedTlb'`. */
export type ScenarioPath = 'name' | 'seed' | { [G in ScenarioGroup]: GroupLeaf<G, unknown> }[ScenarioGroup];
