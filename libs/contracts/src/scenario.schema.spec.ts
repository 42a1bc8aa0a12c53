import { SCENARIO_DEFAULTS } from './scenario.defaults';
import { SCENARIO_LIMITS } from './scenario.limits';
import { scenarioJsonSchema } from './scenario.schema';

type Schema = Record<string, any>;

/** The schema of a leaf by dotted path. */
function leaf(schema: Schema, path: string): Schema {
  const [group, key] = path.split('.');
  if (key === undefined) return schema.properties[group];
  const ref: string = schema.properties[group].allOf[0].$ref;
  return schema.definitions[ref.replace('#/definitions/', '')].properties[key];
}

describe('scenarioJsonSchema', () => {
  const schema = scenarioJsonSchema() as Schema;

  it('is an object schema with properties, requiring only name, closed to unknown keys', () => {
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(['name', ...Object.keys(SCENARIO_DEFAULTS)]);
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
    for (const def of Object.values(schema.definitions as Record<string, Schema>)) {
      expect(def.additionalProperties).toBe(false);
      expect(def.required).toBeUndefined();
    }
  });

  it('carries min, max, integer type and default of every numeric field', () => {
    for (const [path, limit] of Object.entries(SCENARIO_LIMITS)) {
      const field = leaf(schema, path);
      expect([path, field.minimum, field.maximum]).toEqual([path, limit.min, limit.max]);
      expect([path, field.type]).toEqual([path, limit.integer ? 'integer' : 'number']);
      expect(field.default).toBeDefined();
    }
  });

  it('lists enum values and group defaults', () => {
    expect(leaf(schema, 'kvm.policy').enum).toContain('overhaul+hv-flush-current');
    expect(schema.properties.fleet.default).toEqual(SCENARIO_DEFAULTS.fleet);
  });
});
