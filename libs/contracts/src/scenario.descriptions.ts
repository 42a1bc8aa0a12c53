import { declaredKeys } from './scenario.keys';
import type { ScenarioPath } from './scenario.types';

/** One-line meaning of every scenario field (each key's `description` in {@link SCENARIO_KEYS}), by dotted path. */
export const SCENARIO_DESCRIPTIONS: Readonly<Record<ScenarioPath, string>> = Object.freeze(
  Object.fromEntries(declaredKeys().map(([path, decl]) => [path, decl.description])) as Record<ScenarioPath, string>,
);

/** What a form shows next to a scenario field besides its range: its unit and meaning, as declared. */
export interface ScenarioFieldHint {
  /** Unit of a numeric field (`''` for a pure number and for other fields). */
  unit: string;
  /** The declared one-line meaning. */
  description: string;
}

/** The hint of every scenario field, by dotted path (the dashboard's, through GET /api/scenarios/fields). */
export const SCENARIO_FIELD_HINTS: Readonly<Record<ScenarioPath, Readonly<ScenarioFieldHint>>> = Object.freeze(
  Object.fromEntries(
    declaredKeys().map(([path, decl]) => [
      path,
      Object.freeze({ unit: 'unit' in decl ? decl.unit : '', description: decl.description }),
    ]),
  ) as Record<ScenarioPath, ScenarioFieldHint>,
);
