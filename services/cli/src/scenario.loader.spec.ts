import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ScenarioInputError } from '@tlbsim/contracts';
import { formatInputErrors, loadScenarioFile } from './scenario.loader';

const dir = mkdtempSync(join(tmpdir(), 'tlbsim-loader-'));

/** Writes a file in the temp dir and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ScenarioInputError thrown by `f`. */
function inputErrorOf(f: () => unknown): ScenarioInputError {
  try {
    f();
  } catch (error) {
    if (error instanceof ScenarioInputError) return error;
    throw error;
  }
  throw new Error('expected ScenarioInputError');
}

describe('loadScenarioFile', () => {
  it('loads YAML and JSON files and applies overrides', () => {
    expect(loadScenarioFile(file('a.yaml', 'name: a\n'), ['fleet.hosts=3']).fleet.hosts).toBe(3);
    expect(loadScenarioFile(file('b.json', '{"name":"b","seed":4}')).seed).toBe(4);
  });

  it('names the file on read and parse errors', () => {
    const missing = join(dir, 'nope.yaml');
    expect(inputErrorOf(() => loadScenarioFile(missing)).errors[0].message).toBe(`${missing}: no such file`);
    const bad = file('bad.json', '{"name":');
    expect(inputErrorOf(() => loadScenarioFile(bad)).errors[0].message).toMatch(new RegExp(`^${bad}: invalid JSON`));
  });

  it('formats input errors one per line', () => {
    const error = inputErrorOf(() =>
      loadScenarioFile(file('c.yaml', 'name: c\nfleet: {hosts: 0, vmsPerHost: 2000}\n')),
    );
    expect(formatInputErrors('c.yaml', error)).toBe(
      'tlbsim: invalid input c.yaml (2 errors):\n' +
        '  fleet.hosts: 0 is below the minimum 1\n' +
        '  fleet.vmsPerHost: 2000 exceeds the maximum 1024\n',
    );
  });
});
