import { readFileSync } from 'fs';
import { join } from 'path';
import type { GroupDecl } from './scenario-key.decl';
import { SCENARIO_DEFAULTS, scenarioDefault } from './scenario.defaults';
import { SCENARIO_DESCRIPTIONS } from './scenario.descriptions';
import { scenarioPaths } from './scenario.docs';
import { declaredKeys, SCENARIO_KEYS, scenarioKey } from './scenario.keys';
import { SCENARIO_ENUMS, SCENARIO_LIMITS, SCENARIO_TOTALS } from './scenario.limits';
import { scenarioJsonSchema } from './scenario.schema';
import { validateScenario } from './scenario.validator';

/**
 * One declaration per scenario key (SCENARIO_KEYS): every key of a validated
 * scenario is declared exactly once, and everything derived from the
 * declaration (defaults, limits, enums, descriptions, the DTO validation and
 * its error messages, the JSON Schema, docs/scenario.md) says what it says.
 * That the declaration has exactly SimConfig's keys is a compile error
 * otherwise (the @ts-expect-error lines below hold that: `npm run typecheck`).
 */

// A group declaration lacking one of SimConfig's keys does not compile...
// @ts-expect-error tlb.nestedCacheEntries is missing
const _missing: GroupDecl<'tlb'> = { entries: SCENARIO_KEYS.tlb.entries, ways: SCENARIO_KEYS.tlb.ways };
// ...nor one declaring a key SimConfig lacks.
const _extra: GroupDecl<'tlb'> = {
  ...SCENARIO_KEYS.tlb,
  // @ts-expect-error SimConfig's tlb has no `sets`
  sets: SCENARIO_KEYS.tlb.ways,
};
void [_missing, _extra];

type Schema = Record<string, any>;

/** The leaf paths of a value shaped like SimConfig. */
function leafPaths(value: Record<string, unknown>): string[] {
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? Object.keys(v).map((leaf) => `${k}.${leaf}`) : [k],
  );
}

/** The JSON Schema of a leaf by dotted path. */
function schemaLeaf(schema: Schema, path: string): Schema {
  const [group, key] = path.split('.');
  if (key === undefined) return schema.properties[group];
  const ref: string = schema.properties[group].allOf[0].$ref;
  return schema.definitions[ref.replace('#/definitions/', '')].properties[key];
}

/** The messages of a scenario that must fail validation. */
function errorsOf(input: Record<string, unknown>): string[] {
  const result = validateScenario(input);
  if (result.ok) throw new Error(`${JSON.stringify(input)} was accepted`);
  return result.errors.map((e) => e.message);
}

/** `{ group: { key: value } }` (or `{ key: value }`) for a dotted path, with a name. */
function scenarioWith(path: string, value: unknown): Record<string, unknown> {
  const [group, key] = path.split('.');
  return key === undefined ? { name: 'x', [group]: value } : { name: 'x', [group]: { [key]: value } };
}

describe('SCENARIO_KEYS, the one declaration per scenario key', () => {
  const keys = declaredKeys();
  const paths = keys.map(([p]) => p);

  it('declares each key of a validated scenario exactly once, in its order', () => {
    const minimal = validateScenario({ name: 'x' });
    if (!minimal.ok) throw new Error(minimal.errors.map((e) => e.message).join('\n'));
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(leafPaths(minimal.scenario as unknown as Record<string, unknown>));
    expect(scenarioPaths()).toEqual(paths);
  });

  it('gives every key a description and a source, and every number a unit field', () => {
    for (const [path, decl] of keys) {
      expect([path, decl.description.length > 10, decl.source.length > 0]).toEqual([path, true, true]);
      if (decl.kind === 'integer' || decl.kind === 'number') expect([path, typeof decl.unit]).toEqual([path, 'string']);
    }
  });

  it('is where the defaults, limits, enums and descriptions come from', () => {
    for (const [path, decl] of keys) {
      expect([path, scenarioKey(path)]).toEqual([path, decl]);
      expect([path, SCENARIO_DESCRIPTIONS[path]]).toEqual([path, decl.description]);
      const limit = (SCENARIO_LIMITS as Record<string, unknown>)[path];
      const values = (SCENARIO_ENUMS as Record<string, unknown>)[path];
      switch (decl.kind) {
        case 'integer':
        case 'number':
          expect([path, limit]).toEqual([path, { min: decl.min, max: decl.max, integer: decl.kind === 'integer' }]);
          break;
        case 'enum':
          expect([path, values]).toEqual([path, decl.values]);
          break;
        default:
          expect([path, limit, values]).toEqual([path, undefined, undefined]);
      }
      expect([path, scenarioDefault(path)]).toEqual([path, 'default' in decl ? decl.default : undefined]);
    }
    expect(Object.keys(SCENARIO_LIMITS).length + Object.keys(SCENARIO_ENUMS).length).toBeLessThan(paths.length);
    expect(leafPaths(SCENARIO_DEFAULTS as unknown as Record<string, unknown>)).toEqual(paths.slice(1));
    expect(SCENARIO_TOTALS.nameMaxLength).toBe(SCENARIO_KEYS.name.maxLength);
  });

  it('decorates one DTO property per key, whose JSON Schema carries the declaration', () => {
    const schema = scenarioJsonSchema() as Schema;
    const schemaPaths = Object.entries(schema.properties as Record<string, Schema>).flatMap(([top, prop]) => {
      if (!prop.allOf) return [top];
      const def = schema.definitions[(prop.allOf[0].$ref as string).replace('#/definitions/', '')];
      return Object.keys(def.properties).map((k) => `${top}.${k}`);
    });
    expect([...schemaPaths].sort()).toEqual([...paths].sort());
    for (const [path, decl] of keys) {
      const leaf = schemaLeaf(schema, path);
      expect([path, leaf.description, leaf.default]).toEqual([
        path,
        decl.description,
        'default' in decl ? decl.default : undefined,
      ]);
      if (decl.kind === 'integer' || decl.kind === 'number')
        expect([path, leaf.type, leaf.minimum, leaf.maximum]).toEqual([path, decl.kind, decl.min, decl.max]);
      if (decl.kind === 'enum') expect([path, leaf.enum]).toEqual([path, decl.values]);
      if (decl.kind === 'boolean') expect([path, leaf.type]).toEqual([path, 'boolean']);
      if (decl.kind === 'string') expect([path, leaf.maxLength]).toEqual([path, decl.maxLength]);
    }
  });

  it('is what the DTO validation enforces, with messages naming the field and the declared limit', () => {
    for (const [path, decl] of keys) {
      if (decl.kind === 'integer' || decl.kind === 'number') {
        const above = decl.max + 1;
        expect([path, errorsOf(scenarioWith(path, above))]).toEqual([
          path,
          expect.arrayContaining([`${path}: ${above} exceeds the maximum ${decl.max}`]),
        ]);
        const below = decl.min - 1;
        expect([path, errorsOf(scenarioWith(path, below))]).toEqual([
          path,
          expect.arrayContaining([`${path}: ${below} is below the minimum ${decl.min}`]),
        ]);
        if (decl.kind === 'integer')
          expect(errorsOf(scenarioWith(path, decl.min + 0.5))).toContain(
            `${path}: ${decl.min + 0.5} is not an integer (allowed: ${decl.min}..${decl.max})`,
          );
      } else if (decl.kind === 'enum') {
        expect(errorsOf(scenarioWith(path, 'no-such-value'))[0]).toMatch(
          new RegExp(`^${path}: "no-such-value" is not one of `),
        );
      } else if (decl.kind === 'boolean') {
        expect(errorsOf(scenarioWith(path, 'yes'))).toContain(`${path}: "yes" is not a boolean (allowed: true, false)`);
      } else if (decl.kind === 'string') {
        expect(errorsOf({ name: 'n'.repeat(decl.maxLength + 1) })[0]).toContain(
          `is longer than the maximum ${decl.maxLength} characters`,
        );
      }
    }
  });

  it('is the table of docs/scenario.md: one row per key with its default and range', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/scenario.md'), 'utf8');
    for (const [path, decl] of keys) {
      const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${path}\` |`));
      expect([path, rows.length]).toEqual([path, 1]);
      const shown = 'default' in decl ? `\`${JSON.stringify(decl.default)}\`` : '*required*';
      expect(rows[0]).toContain(`| ${shown} |`);
      expect(rows[0].endsWith(`| ${decl.source} |`)).toBe(true);
      if (decl.kind === 'integer' || decl.kind === 'number') expect(rows[0]).toContain(`${decl.min} .. ${decl.max}`);
    }
  });
});
