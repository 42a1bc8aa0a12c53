import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { SCENARIO_DEFAULTS } from './scenario.defaults';
import { SCENARIO_ENUMS, SCENARIO_LIMITS, ScenarioLimit } from './scenario.limits';

/**
 * The hand-written TSDoc of the scenario DTOs (editors show it) agrees with
 * the tables the validation reads: each `@ScenarioField(path)` property's doc
 * states the limits table's kind and bounds ("Integer 1..4096", "Number
 * 0..1e9") and its `@defaultValue` is the default in SCENARIO_DEFAULTS.
 */
interface DocumentedField {
  file: string;
  path: string;
  doc: string;
}

/** Every `@ScenarioField('<path>')` of the DTO files with the TSDoc block above it. */
function documentedFields(): DocumentedField[] {
  const out: DocumentedField[] = [];
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.dto.ts'))) {
    const text = readFileSync(join(__dirname, file), 'utf8');
    for (const m of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*@ScenarioField\('([^']+)'\)/g))
      out.push({ file, path: m[2], doc: m[1] });
    const fields = [...text.matchAll(/@ScenarioField\('([^']+)'\)/g)].map((m) => m[1]);
    const documented = new Set(out.filter((f) => f.file === file).map((f) => f.path));
    expect([file, fields.filter((p) => !documented.has(p))]).toEqual([file, []]);
  }
  return out;
}

/** The default at a dotted path. */
function defaultAt(path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], SCENARIO_DEFAULTS);
}

/** A number as the docs may write it: `1e9`, `4294967295`, `0.1`. */
const NUM = String.raw`-?\d+(?:\.\d+)?(?:e\d+)?`;

describe('scenario DTO docs', () => {
  const fields = documentedFields();

  it('cover the scenario fields', () => {
    expect(fields.length).toBeGreaterThan(30);
  });

  it("state the limits table's kind and bounds for every numeric field", () => {
    const wrong: string[] = [];
    for (const { file, path, doc } of fields) {
      const limit: ScenarioLimit | undefined = (SCENARIO_LIMITS as Record<string, ScenarioLimit>)[path];
      if (!limit) continue;
      const m = new RegExp(String.raw`\b(Integer|Number) (${NUM})\.\.(${NUM})\b`).exec(doc);
      const stated = m ? `${m[1]} ${Number(m[2])}..${Number(m[3])}` : '(none)';
      const actual = `${limit.integer ? 'Integer' : 'Number'} ${limit.min}..${limit.max}`;
      if (stated !== actual) wrong.push(`${file} ${path}: doc says ${stated}, limits table ${actual}`);
    }
    expect(wrong).toEqual([]);
  });

  it('give every field its @defaultValue from SCENARIO_DEFAULTS', () => {
    const wrong: string[] = [];
    for (const { file, path, doc } of fields) {
      const m = /@defaultValue\s+(.+)/.exec(doc);
      const stated = m ? m[1].trim().replace(/^'(.*)'$/, '$1') : '(none)';
      const value = defaultAt(path);
      const actual = typeof value === 'string' ? value : JSON.stringify(value);
      if (value === undefined && stated.startsWith('none')) continue; // `name`: required, no default
      if (stated !== actual && Number(stated) !== value)
        wrong.push(`${file} ${path}: doc says ${stated}, default ${actual}`);
    }
    expect(wrong).toEqual([]);
  });

  it('list the allowed values of every enum field', () => {
    const wrong: string[] = [];
    for (const { file, path, doc } of fields) {
      const values: readonly string[] | undefined = (SCENARIO_ENUMS as Record<string, readonly string[]>)[path];
      if (values) for (const v of values) if (!doc.includes(v)) wrong.push(`${file} ${path}: ${v} not mentioned`);
    }
    expect(wrong).toEqual([]);
  });
});
