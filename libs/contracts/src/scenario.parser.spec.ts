import { ScenarioInputError } from './scenario-input.error';
import { formatFromFileName, parseScenarioText } from './scenario.parser';
import { validateScenario } from './scenario.validator';

describe('parseScenarioText', () => {
  it('parses YAML', () => {
    const value = parseScenarioText('name: y\nfleet:\n  hosts: 3\nworkload:\n  pcid: false\n', 'yaml');
    expect(value).toEqual({ name: 'y', fleet: { hosts: 3 }, workload: { pcid: false } });
    expect(validateScenario(value).ok).toBe(true);
  });

  it('parses JSON, also by file name and by auto-detection', () => {
    const text = '{"name":"j","tlb":{"ways":8}}';
    expect(parseScenarioText(text, 'json')).toEqual({ name: 'j', tlb: { ways: 8 } });
    expect(parseScenarioText(text, 'a/b.JSON')).toEqual({ name: 'j', tlb: { ways: 8 } });
    expect(parseScenarioText(text)).toEqual({ name: 'j', tlb: { ways: 8 } });
  });

  it('maps file extensions to formats', () => {
    expect(formatFromFileName('x.yml')).toBe('yaml');
    expect(formatFromFileName('x.yaml')).toBe('yaml');
    expect(formatFromFileName('x.txt')).toBe('auto');
  });

  it.each([
    ['bad JSON', '{"name": ', 'json', /invalid JSON/],
    ['bad YAML', 'name: [1, 2\nfleet: {', 'yaml', /invalid YAML/],
    ['duplicate YAML keys', 'name: a\nname: b\n', 'yaml', /invalid YAML/],
    ['empty text', '   \n', 'yaml', /empty/],
  ])('rejects %s with a parse error', (_what, text, format, message) => {
    try {
      parseScenarioText(text, format);
      throw new Error('no throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioInputError);
      const [first] = (error as ScenarioInputError).errors;
      expect(first).toMatchObject({ path: '', constraint: 'parse' });
      expect(first.message).toMatch(message);
    }
  });
});
