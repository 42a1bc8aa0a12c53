import { stringify, type ToStringOptions } from 'yaml';
import { NESTING_DEPTH_MAX, yamlNestingPosition } from './nesting-depth.checker';
import { parseScenarioText } from './scenario.parser';
import { ScenarioInputError } from './scenario-input.error';

/** A value nested `depth` levels deep (mappings and sequences in turn). */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}

describe('yamlNestingPosition', () => {
  it.each<[string, ToStringOptions]>([
    ['block', { indent: 2 }],
    ['flow', { collectionStyle: 'flow' }],
    ['compact block sequences', { indent: 2, indentSeq: false }],
  ])('passes every %s text up to the limit and refuses two levels past it', (_label, options) => {
    for (let depth = 1; depth <= NESTING_DEPTH_MAX; depth++)
      expect(yamlNestingPosition(stringify(nested(depth), options))).toBeNull();
    expect(yamlNestingPosition(stringify(nested(NESTING_DEPTH_MAX + 2), options))).not.toBeNull();
  });

  it('stops at the first bracket past the limit, whatever follows', () => {
    const text = `scenario: ${'['.repeat(120_000)}${']'.repeat(120_000)}`;
    // The mapping is one level, so the limit is passed at the 32nd bracket (bracket k is at column 10 + k).
    expect(yamlNestingPosition(text)).toEqual({ line: 1, column: 10 + NESTING_DEPTH_MAX });
  });

  it('refuses compact block sequences (`- - - x`) past the limit', () => {
    expect(yamlNestingPosition(`scenario:\n${'- '.repeat(100_000)}x\n`)).toEqual({
      line: 2,
      column: 2 * NESTING_DEPTH_MAX + 1,
    });
  });

  it('passes the shipped scenario shape', () => {
    const text = 'name: s\nfleet:\n  hosts: 2\n  vmsPerHost: 3\nrun:\n  seed: 4\n# comment\n';
    expect(yamlNestingPosition(text)).toBeNull();
  });
});

describe('parseScenarioText on deep YAML', () => {
  it('refuses it with constraint maxDepth naming the limit, before parsing', () => {
    const text = `scenario: ${'['.repeat(120_000)}${']'.repeat(120_000)}`;
    let error: unknown;
    try {
      parseScenarioText(text, 'yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioInputError);
    const [first] = (error as ScenarioInputError).errors;
    expect(first).toMatchObject({ constraint: 'maxDepth', limit: NESTING_DEPTH_MAX });
    expect(first.message).toContain(`deeper than ${NESTING_DEPTH_MAX} levels`);
  });
});
