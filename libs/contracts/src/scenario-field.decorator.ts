import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { scenarioDefault } from './scenario.defaults';
import { SCENARIO_DESCRIPTIONS } from './scenario.descriptions';
import { SCENARIO_ENUMS, SCENARIO_LIMITS, SCENARIO_TOTALS, ScenarioLimit } from './scenario.limits';
import type { ScenarioGroup, ScenarioPath } from './scenario.types';

type AnyPropertyDecorator = (target: object, propertyKey: string) => void;

/** Applies several property decorators in order. */
function compose(decorators: AnyPropertyDecorator[]): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    for (const decorate of decorators) decorate(target, String(key));
  };
}

/** The class-validator decorators that check the type and bounds of `path`. */
function rulesFor(path: ScenarioPath): AnyPropertyDecorator[] {
  const limit: ScenarioLimit | undefined = (SCENARIO_LIMITS as Record<string, ScenarioLimit>)[path];
  if (limit) {
    const type = limit.integer ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false });
    // Min/Max first: their schema converters set `type: number`, which IsInt then narrows to `integer`.
    return [Min(limit.min), Max(limit.max), type];
  }
  const values: readonly string[] | undefined = (SCENARIO_ENUMS as Record<string, readonly string[]>)[path];
  if (values) return [IsIn([...values])];
  if (path === 'name') return [IsString(), IsNotEmpty(), MaxLength(SCENARIO_TOTALS.nameMaxLength)];
  if (typeof scenarioDefault(path) === 'boolean') return [IsBoolean()];
  throw new Error(`scenario field ${path} has no limit, enum or known type`);
}

/**
 * Declares a scenario leaf field: type, bounds (from {@link SCENARIO_LIMITS}),
 * accepted values (from {@link SCENARIO_ENUMS}), and the JSON Schema
 * description and default, all looked up by the field's dotted path.
 */
export function ScenarioField(path: ScenarioPath): PropertyDecorator {
  const fallback = scenarioDefault(path);
  const schema: Record<string, unknown> = { description: SCENARIO_DESCRIPTIONS[path] };
  if (fallback !== undefined) schema.default = fallback;
  return compose([...rulesFor(path), JSONSchema(schema) as AnyPropertyDecorator]);
}

/**
 * Declares a nested group of a scenario (e.g. `fleet`), validated as a
 * `dto` instance; a missing group is filled from the defaults before validation.
 */
export function ScenarioGroupField(group: ScenarioGroup, dto: () => new () => object): PropertyDecorator {
  return compose([
    ValidateNested(),
    Type(dto) as AnyPropertyDecorator,
    JSONSchema({ description: `The \`${group}\` group; every key is optional.` }) as AnyPropertyDecorator,
  ]);
}
