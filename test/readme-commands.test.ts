/**
 * The sweeps the README and the shipped scenarios' comments show must be
 * accepted as written: a new user copies them first. Planned (validated and
 * sized) with the same code `tlbsim sweep` uses, without running the points.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { parseScenarioText, planSweep } from '@tlbsim/contracts';
import { ROOT } from './support/scenario.fixture';

/** Every `tlbsim sweep ...` command line in a text (backslash continuations joined, `#` comment markers dropped). */
function sweepCommands(text: string): string[] {
  const joined = text.replace(/\\\n\s*#?\s*/g, ' ');
  return [...joined.matchAll(/tlbsim sweep ([^`\n]+)/g)].map((m) => m[1].trim());
}

/** The scenario file and the sweep request of one command line. */
function requestOf(line: string): {
  file: string;
  grid: string[];
  policies?: string[];
  seeds?: number;
  overrides: string[];
} {
  const words = line.split(/\s+/);
  const request = {
    file: words[0],
    grid: [] as string[],
    policies: undefined as string[] | undefined,
    seeds: undefined as number | undefined,
    overrides: [] as string[],
  };
  for (let i = 1; i < words.length; i += 2) {
    const [flag, value] = [words[i], words[i + 1]];
    if (flag === '--grid') request.grid.push(value);
    else if (flag === '--policies') request.policies = value.split(',');
    else if (flag === '--seeds') request.seeds = Number(value);
    else if (flag === '--set') request.overrides.push(value);
    else if (flag === '--replications') request.overrides.push(`run.replications=${value}`);
    else throw new Error(`unexpected ${flag} in "${line}"`);
  }
  return request;
}

const sources = ['README.md', ...readdirSync(join(ROOT, 'scenarios')).map((f) => join('scenarios', f))];
const commands = sources.flatMap((source) =>
  sweepCommands(readFileSync(join(ROOT, source), 'utf8'))
    .filter((line) => line.startsWith('scenarios/'))
    .map((line) => [source, line] as const),
);

describe('sweep commands shown to users', () => {
  it('finds the README sweep', () => {
    expect(commands.some(([source]) => source === 'README.md')).toBe(true);
  });

  it.each(commands)('%s: tlbsim sweep %s is within the limits', (_source, line) => {
    const { file, ...request } = requestOf(line);
    const input = parseScenarioText(readFileSync(join(ROOT, file), 'utf8'), file);
    const plan = planSweep(input, request);
    expect(plan.points.length).toBeGreaterThan(1);
  });
});
