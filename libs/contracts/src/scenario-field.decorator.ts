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
import type { ScenarioKeyDecl } from './scenario-key.decl';
import { scenarioKey } from './scenario.keys';
import type { ScenarioGroup, ScenarioPath } from './scenario.types';

type AnyPropertyDecorator = (target: object, propertyKey: string) => void;

/** Applies several property decorators in order. */
function compose(decorators: AnyPropertyDecorator[]): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    for (const decorate of decorators) decorate(target, String(key));
  };
}

/** The class-validator decorators that check a key's type and bounds, as declared. */
function rulesFor(decl: ScenarioKeyDecl): AnyPropertyDecorator[] {
  switch (decl.kind) {
    case 'integer':
    case 'number': {
      const type = decl.kind === 'integer' ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false });
      // Min/Max first: their schema converters set `type: number`, which IsInt then narrows to `integer`.
      return [Min(decl.min), Max(decl.max), type];
    }
    case 'enum':
      return [IsIn([...decl.values])];
    case 'string':
      return [IsString(), IsNotEmpty(), MaxLength(decl.maxLength)];
    case 'boolean':
      return [IsBoolean()];
  }
}

/** The last segment of a dotted path: the property name it must decorate. */
type KeyOfPath<P extends string> = P extends `${string}.${infer K}` ? K : P;

/**
 * Declares a scenario leaf field from its declaration in {@link SCENARIO_KEYS}:
 * type and bounds or accepted values (class-validator), and the JSON Schema
 * description and default. The decorated property must be the path's last
 * segment (`@ScenarioField('fleet.hosts') hosts`): anything else does not compile.
 */
export function ScenarioField<P extends ScenarioPath>(path: P): (target: object, propertyKey: KeyOfPath<P>) => void {
  const decl = scenarioKey(path);
  if (!decl) throw new Error(`scenario field ${path} is not declared in SCENARIO_KEYS`);
  const schema: Record<string, unknown> = { description: decl.description };
  if ('default' in decl) schema.default = decl.default;
  return compose([...rulesFor(decl), JSONSchema(schema) as AnyPropertyDecorator]);
}

/**
 * Declares a nested group of a scenario (e.g. `fleet`), validated as a
 * `dto` instance; a missing group is filled from the defaults before validation.
 */
export function ScenarioGroupField<G extends ScenarioGroup>(
  group: G,
  dto: () => new () => object,
): (target: object, propertyKey: G) => void {
  return compose([
    ValidateNested(),
    Type(dto) as AnyPropertyDecorator,
    JSONSchema({ description: `The \`${group}\` group; every key is optional.` }) as AnyPropertyDecorator,
  ]);
}
