import { readFileSync } from 'fs';
import { join } from 'path';
import { SCENARIO_DESCRIPTIONS } from './scenario.descriptions';
import { renderScenarioDocs, scenarioPaths } from './scenario.docs';
import { SCENARIO_LIMITS } from './scenario.limits';

const DOC = join(__dirname, '../../../docs/scenario.md');

describe('docs/scenario.md', () => {
  const text = readFileSync(DOC, 'utf8');

  it('is up to date (regenerate with `tlbsim schema --markdown > docs/scenario.md`)', () => {
    expect(text).toBe(renderScenarioDocs());
  });

  it('documents every limited path with its bounds', () => {
    for (const [path, limit] of Object.entries(SCENARIO_LIMITS)) {
      expect(text).toContain(`| \`${path}\` |`);
      expect(text).toContain(`${limit.min} .. ${limit.max}`);
    }
  });

  it('describes every leaf path', () => {
    expect(Object.keys(SCENARIO_DESCRIPTIONS).sort()).toEqual([...scenarioPaths()].sort());
  });
});
