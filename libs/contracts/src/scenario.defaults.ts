import { deepFreeze } from './scenario-key.decl';
import { declaredKeys } from './scenario.keys';
import type { ScenarioDefaults } from './scenario.types';

/** The declared defaults, shaped like `SimConfig` without `name`, in declaration order. */
function defaultsOf(): ScenarioDefaults {
  const out: Record<string, unknown> = {};
  for (const [path, decl] of declaredKeys()) {
    if (!('default' in decl)) continue; // `name`: required
    const [group, key] = path.split('.');
    if (key === undefined) out[group] = decl.default;
    else ((out[group] ??= {}) as Record<string, unknown>)[key] = decl.default;
  }
  return out as unknown as ScenarioDefaults;
}

/**
 * Defaults of every scenario field except `name` (which is required), from
 * the declaration ({@link SCENARIO_KEYS}). A scenario file only needs the
 * keys it changes.
 *
 * @defaultValue each key's `default` in {@link SCENARIO_KEYS}; `docs/scenario.md` lists them.
 */
export const SCENARIO_DEFAULTS: Readonly<ScenarioDefaults> = deepFreeze(defaultsOf());

/**
 * The value of a dotted path in {@link SCENARIO_DEFAULTS}, or `undefined`.
 * `undefined` for `name` and unknown paths.
 */
export function scenarioDefault(path: string): unknown {
  let node: unknown = SCENARIO_DEFAULTS;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
