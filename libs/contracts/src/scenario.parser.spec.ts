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

  it.each([
    [
      'name: x\nfleet:\n  hosts: 2\n hosts: 3\n',
      'scenario: invalid YAML: All mapping items must start at the same column at line 4, column 1: " hosts: 3"',
    ],
    [
      'name: x\nfleet: hosts: 2\n',
      'scenario: invalid YAML: Nested mappings are not allowed in compact mappings at line 2, column 8: "fleet: hosts: 2"',
    ],
    [
      'name: x\nfleet:\n\thosts: 1\n',
      'scenario: invalid YAML: Tabs are not allowed as indentation at line 3, column 1: "\\thosts: 1"',
    ],
    // Left open at the end: the last line there is, not the empty one after it.
    [
      'name: x\nfleet: [1, 2\n\n',
      'scenario: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] ' +
        'at the end of the text, after line 2: "fleet: [1, 2"',
    ],
  ])('a YAML syntax error is one line that shows the offending line (%j)', (text, message) => {
    try {
      parseScenarioText(text, 'yaml');
      throw new Error('no throw');
    } catch (error) {
      const [first] = (error as ScenarioInputError).errors;
      expect(first.message).toBe(message);
    }
  });
});
