import { declaredKeys } from './scenario.keys';
import type { ScenarioPath } from './scenario.types';

/** One-line meaning of every scenario field (each key's `description` in {@link SCENARIO_KEYS}), by dotted path. */
export const SCENARIO_DESCRIPTIONS: Readonly<Record<ScenarioPath, string>> = Object.freeze(
  Object.fromEntries(declaredKeys().map(([path, decl]) => [path, decl.description])) as Record<ScenarioPath, string>,
);
