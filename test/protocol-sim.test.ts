/**
 * The protocol simulator (`npm run sim:protocol`, libs/jobs src/sim), run as
 * built (the jest sandbox makes v8 serialization of the snapshots many times
 * slower): a fixed set of seeded fault schedules of a small job, each of
 * which must end with the in-process digest or a documented end; a seed
 * replays its schedule exactly; and for each rule of the protocol broken on
 * purpose (in the in-memory store, or the driver's store-error rule), a
 * schedule of the default seed set (1..200) catches it. No wall-clock
 * bound: virtual time only.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { runSchedule } from '../libs/jobs/src/sim/protocol.simulator';
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
    // The store-error kind struck: a store call of a run did reject with a connection error.
    expect(summary).toMatch(/fired: .*store-error in [1-9]\d*/);
    // Isolated shards ran windows they did not publish, and a later publish of theirs counted them.
    expect(summary).toMatch(/; [1-9]\d* windows spanned;/);
    // Snapshots went as chains: delta segments appended to a full one, and restored from by resumed runs.
    expect(summary).toMatch(/; [1-9]\d* snapshot deltas appended,/);
  });

  it('a store restart that loses a snapshot segment: the next delta is refused and a full one follows; every run ends right', () => {
    const { code, out } = sim('--kinds', 'store-restart,crash', '--seeds', '60');
    expect(out).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    expect(out.trim().split('\n').pop()).toMatch(/ snapshot deltas appended, [1-9]\d* rebased;/);
  });

  // A store that appends a delta to whatever chain it finds: a resumed run restores a state that never was.
  it('catches the planted bug delta-any-base under store restarts and crashes', () => {
    const { code, out } = sim(
      '--mutation',
      'delta-any-base',
      '--kinds',
      'store-restart,crash',
      '--first-failure',
      '--seeds',
      '200',
    );
    expect(code).toBe(1);
    const line = out.split('\n').find((l) => / FAILED: /.test(l))!;
    expect(line).toMatch(/digest|snapshot chain broken/);
    expect(line).toContain('--mutation delta-any-base --kinds store-restart,crash');
  });

  // A failover under the clients: calls reject with a connection error, before the store applied them or after.
  it('a store error (a lost connection) fails no job: every schedule completes with the in-process digest', () => {
    const { code, out } = sim('--kinds', 'store-error', '--seeds', '24');
    expect(out).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    expect(out.trim().split('\n').pop()).toMatch(
      /^24 schedules \(seeds 1\.\.24\): 24 completed; fired: store-error in [1-9]/,
    );
  });

  // Replaces the real-process fault test of a window publish lost in a failover (barrier-lost-window.fault.test.ts).
  it('a store restart that loses a window publish fails the job with the one documented line naming the shard and window', () => {
    const { code, out } = sim('--kinds', 'store-restart', '--seeds', '40', '--verbose');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines.pop()).toMatch(/^40 schedules \(seeds 1\.\.40\): .*\d+ completed/);
    const failed = lines.filter((l) => / documented-failure: /.test(l));
    expect(failed.length).toBeGreaterThan(0);
    for (const l of failed)
      expect(l).toMatch(
        /: shard \d: waited 60 s at the barrier of window \d+ for (shards? [\d, ]+|its barrier entry \(every shard published the window\)) with no progress \(a write lost in a Redis failover, or no worker runs it\) \[/,
      );
    // Some name the shard whose publish was lost.
    expect(failed.some((l) => /for shard \d with no progress/.test(l))).toBe(true);
  });

  it('reports a schedule that passes its bound in steps or in virtual time as a hang, never runs on', async () => {
    // The digest is never reached: these bounds end the schedule long before any end.
    const steps = await runSchedule(549, { expectedDigest: 'none', stepsMax: 200 });
    expect(steps).toMatchObject({ ok: false, outcome: 'failure', steps: 200 });
    expect(steps.detail).toMatch(
      /^hang: no end by \d+ virtual s \(steps-bound\); shard jobs \d+ waiting, \d+ active, \d+ failed; runs in flight \d+$/,
    );
    const time = await runSchedule(549, { expectedDigest: 'none', timeMaxMs: 50 });
    expect(time).toMatchObject({ ok: false, outcome: 'failure' });
    expect(time.virtualMs).toBeLessThanOrEqual(50);
    expect(time.detail).toMatch(/\(time-bound\); shard jobs /);
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
    // A span that counts only its last window: the windows before it never complete for the shards waiting there.
    ['span-last-only', /hang|failed:|digest/],
    // A driver that fails the job on a lost connection (as before afterStoreError).
    ['store-error-fails', /failed: shard \d+: the store call failed/],
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
    expect(() => parseSimArgs(['--kinds', 'nope'])).toThrow(/store-error/);
    expect(parseSimArgs(['--kinds', 'store-error', '--mutation', 'store-error-fails'])).toMatchObject({
      kinds: ['store-error'],
      mutation: 'store-error-fails',
    });
    const args = parseSimArgs(['--kinds', 'crash,freeze', '--mutation', 'skip-fence']);
    expect(replayCommand(9, args)).toBe('npm run sim:protocol -- --seed 9 --mutation skip-fence --kinds crash,freeze');
  });
});
