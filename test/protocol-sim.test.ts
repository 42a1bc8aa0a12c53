/**
 * The protocol simulator (`npm run sim:protocol`, libs/jobs src/sim), run as
 * built (the jest sandbox makes v8 serialization of the snapshots many times
 * slower): a fixed set of seeded fault schedules of a small job, each of
 * which must end with the in-process digest or a documented end; a seed
 * replays its schedule exactly; and for each rule of the protocol broken on
 * purpose in the in-memory store, a schedule of the default seed set (1..200)
 * catches it. No wall-clock bound: virtual time only.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { parseSimArgs, replayCommand } from '../libs/jobs/src/sim/sim.main';

const MAIN = join(__dirname, '..', 'libs', 'jobs', 'dist', 'sim', 'sim.main.js');

/** Seeds every `npm test` runs. */
const FIXED_SEEDS = 120;

function sim(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run sim:protocol', () => {
  it(`ends each of ${FIXED_SEEDS} fault schedules with the in-process digest or a documented end`, () => {
    const { code, out } = sim('--seeds', String(FIXED_SEEDS));
    expect(out).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    const summary = out.trim().split('\n').pop()!;
    expect(summary).toMatch(new RegExp(`^${FIXED_SEEDS} schedules \\(seeds 1\\.\\.${FIXED_SEEDS}\\)`));
    // More than the happy path: cancels and faulted runs that still complete.
    expect(summary).toMatch(/\d+ completed/);
    expect(summary).toMatch(/\d+ cancelled/);
  });

  it('replays a seed exactly', () => {
    const a = sim('--seed', '7').out.split('\n')[0];
    const b = sim('--seed', '7').out.split('\n')[0];
    expect(a).toMatch(/^seed 7: /);
    expect(b).toBe(a);
  });

  it.each([
    ['skip-fence', /fenced run|digest|progress went backwards|finished \d+ times|failed:/],
    ['publish-twice', /digest|failed:|hang/],
    ['older-snapshot', /progress went backwards|digest|failed:|hang/],
  ])('catches the planted bug %s within the default seed set', (mutation, why) => {
    const { code, out } = sim('--mutation', mutation, '--first-failure');
    expect(code).toBe(1);
    const line = out.split('\n').find((l) => / FAILED: /.test(l))!;
    expect(line).toMatch(why);
    expect(line).toContain(`replay: npm run sim:protocol -- --seed `);
    expect(line).toContain(`--mutation ${mutation}`);
  });

  it('parses its command line and prints the replay command', () => {
    expect(parseSimArgs(['--seed', '42'])).toMatchObject({ from: 42, seeds: 1, verbose: true });
    expect(() => parseSimArgs(['--seeds', '0'])).toThrow(/usage/);
    expect(() => parseSimArgs(['--mutation', 'nope'])).toThrow(/usage/);
    const args = parseSimArgs(['--kinds', 'crash,freeze', '--mutation', 'skip-fence']);
    expect(replayCommand(9, args)).toBe('npm run sim:protocol -- --seed 9 --mutation skip-fence --kinds crash,freeze');
  });
});
