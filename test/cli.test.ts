/**
 * The `tlbsim` executable. Needs `npm run build` first (root `npm test`
 * does it). One check per kind of end crosses the process boundary (the
 * built CLI spawned as a user runs it: exit 2 with stderr only and nothing on
 * stdout, exit 0 with a JSON report on stdout and nothing on stderr, the
 * report the witness checks read); the other checks run the same program in
 * this process (test/support/cli-in-process.ts), each of which would
 * otherwise pay a Node start-up and module load.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildScenario } from '@tlbsim/contracts';
import { runCliInProcess } from './support/cli-in-process';

const MAIN = join(__dirname, '..', 'services', 'cli', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-e2e-'));

/** Writes a scenario file and returns its path. */
function scenario(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** What one run of `tlbsim` ended with. */
interface Ended {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node services/cli/dist/main.js ...args` as a child process (the process boundary). */
function tlbsim(...args: string[]): Ended {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `tlbsim ...args` in this process (same program, same exit code and output, no Node start-up). */
async function inProcess(...args: string[]): Promise<Ended> {
  const r = await runCliInProcess(args);
  return { status: r.code, stdout: r.out, stderr: r.err };
}

const ok = scenario('ok.yaml', 'name: e2e\nfleet:\n  hosts: 1\n');

describe('tlbsim executable', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  });

  it('bad field: exit 2, stderr names the path, value and limit', () => {
    const r = tlbsim('run', scenario('bad.yaml', 'name: bad\nfleet:\n  hosts: 5000\n'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fleet.hosts: 5000 exceeds the maximum 4096');
    expect(r.stdout).toBe('');
  });

  it('unknown key: exit 2 with its dotted path', async () => {
    const r = await inProcess('run', scenario('unknown.json', '{"name":"u","tlb":{"entries":1536,"colour":"red"}}'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('tlb.colour: unknown key');
  });

  it('missing file: exit 2', async () => {
    const r = await inProcess('run', join(dir, 'nope.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.yaml: no such file');
  });

  it('bad --set: exit 2', async () => {
    const r = await inProcess('run', ok, '--set', 'fleet.hosts');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('override "fleet.hosts": expected dotted.path=value');
  });

  it('unknown policy: exit 2 and lists the valid ones', async () => {
    const r = await inProcess('run', ok, '--policy', 'yolo');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('kvm.policy: "yolo" is not one of');
    expect(r.stderr).toContain('overhaul+hv-flush-current');
    expect(r.stderr).toContain('enlightened-tlb-off');
  });

  it('a policy with a typo: exit 2 with "did you mean" (--policy and --policies alike)', async () => {
    const r = await inProcess('run', ok, '--policy', 'overhual');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/kvm\.policy: "overhual" is not one of [^\n]*; did you mean overhaul\?\n/);
    const c = await inProcess('compare', ok, '--policies', 'overhaul,overhaul+hv-flush-curent');
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('did you mean overhaul+hv-flush-current?');
  });

  it('bad YAML: exit 2, one line showing the offending line (no dangling "column 1:")', async () => {
    const file = scenario('bad-indent.yaml', 'name: x\nfleet:\n  hosts: 2\n vmsPerHost: 3\n');
    const r = await inProcess('run', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${file}: invalid YAML: All mapping items must start at the same column at line 4, column 1: " vmsPerHost: 3"\n`,
    );
    expect(r.stderr).not.toMatch(/column \d+:\n/);
  });

  it('compare with a policy listed twice: exit 2 naming it', async () => {
    const r = await inProcess('compare', ok, '--policies', 'overhaul,pre-overhaul,overhaul');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('overhaul is listed more than once');
  });

  it('replay of a job that did not complete: exit 2, naming the state, before running anything', async () => {
    const config = buildScenario({ name: 'cancelled', workload: { accessesPerVcpu: 50000000 } }, []);
    const file = scenario(
      'cancelled.ndjson',
      [
        {
          kind: 'job',
          id: 'j-1',
          name: 'cancelled',
          policy: config.kvm.policy,
          seed: config.seed,
          shards: 2,
          createdAt: '2026-01-01T00:00:00.000Z',
          config,
        },
        { kind: 'result', state: 'cancelled', digest: null, report: null },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const r = await inProcess('replay', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `tlbsim: ${file}: job j-1 did not complete (cancelled): its export has no digest to reproduce, so there is nothing to replay\n`,
    );
    expect(r.stdout).toBe('');
  });

  it('every command but schema lists its exit codes in --help', async () => {
    const names = [...(await inProcess('--help')).stdout.matchAll(/^ {2}(\w+) \[options\]/gm)]
      .map((m) => m[1])
      .filter((n) => n !== 'schema');
    expect(names.length).toBeGreaterThanOrEqual(14);
    const helps = await Promise.all(
      names.map(async (name) => [name, (await runCliInProcess([name, '--help'])).out] as const),
    );
    expect(helps.filter(([, out]) => !/\nExit codes: 0 /.test(out)).map(([name]) => name)).toEqual([]);
  });

  it('replay and trace of a missing file or a directory: exit 2, one line in words (not the errno text)', async () => {
    const missing = join(dir, 'missing.ndjson');
    expect(await inProcess('replay', missing)).toMatchObject({
      status: 2,
      stderr: `tlbsim: ${missing}: no such file\n`,
    });
    expect(await inProcess('replay', dir)).toMatchObject({ status: 2, stderr: `tlbsim: ${dir}: is a directory\n` });
    expect(await inProcess('trace', dir)).toMatchObject({ status: 2, stderr: `tlbsim: ${dir}: is a directory\n` });
  });

  it('unknown option: exit 2', async () => {
    const r = await inProcess('run', ok, '--frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('schema prints a JSON Schema with properties', async () => {
    const r = await inProcess('schema');
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.fleet).toBeDefined();
    expect(schema.definitions.FleetDto.properties.hosts).toMatchObject({ minimum: 1, maximum: 4096, default: 1 });
  });

  it('run --json prints one RunReport with a digest and the four violation classes', () => {
    const r = tlbsim('run', ok, '--json', '--set', 'workload.accessesPerVcpu=2000');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(report.violations.byClass).sort()).toEqual([
      'cross-vm',
      'stale-mapping',
      'stale-root',
      'use-after-free',
    ]);
    expect(report.scenario).toBe('e2e');
  });
});

describe('witnesses a user can navigate', () => {
  // Every violation class occurs within its first few hundred windows (about 2 s).
  const hot = scenario(
    'hot.json',
    JSON.stringify({
      name: 'hot',
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 2 },
      workload: { accessesPerVcpu: 50000 },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
      run: { witnessesMax: 3 },
    }),
  );
  const heads = (text: string): { cls: string; vm: number; timeNs: number }[] =>
    [...text.matchAll(/^ {2}#\d+ ([a-z-]+): host \d+ vm (\d+) vcpu \d+ at ([\d,]+) ns/gm)].map((m) => ({
      cls: m[1],
      vm: Number(m[2]),
      timeNs: Number(m[3].replace(/,/g, '')),
    }));
  let reportFile: string;
  let report: { violations: { byClass: Record<string, number>; witnesses: { class: string }[] } };

  beforeAll(() => {
    const r = tlbsim('run', hot, '--json', '--progress', 'none');
    expect(r.status).toBe(0);
    reportFile = scenario('hot-report.json', r.stdout);
    report = JSON.parse(r.stdout);
  });

  it('prints witnesses in time order with at least one of every class that occurred, whatever --witnesses says', async () => {
    const occurred = Object.entries(report.violations.byClass)
      .filter(([, n]) => n > 0)
      .map(([c]) => c)
      .sort();
    expect(occurred.length).toBeGreaterThanOrEqual(3);
    const r = await inProcess('run', hot, '--witnesses', '1', '--progress', 'none');
    expect(r.status).toBe(0);
    const shown = heads(r.stdout);
    expect([...new Set(shown.map((w) => w.cls))].sort()).toEqual(occurred);
    expect(shown.map((w) => w.timeNs)).toEqual([...shown.map((w) => w.timeNs)].sort((a, b) => a - b));
    const vm = shown[shown.length - 1].vm;
    const filtered = heads(
      (
        await inProcess(
          'run',
          hot,
          '--witness-vm',
          String(vm),
          '--witness-class',
          shown[shown.length - 1].cls,
          '--progress',
          'none',
        )
      ).stdout,
    );
    expect(filtered.length).toBeGreaterThanOrEqual(1);
    expect(filtered.every((w) => w.vm === vm && w.cls === shown[shown.length - 1].cls)).toBe(true);
  });

  it.each([
    [['run', '<hot>', '--witnesses', 'abc'], 'tlbsim: --witnesses: expected an integer 0..1000, got abc\n'],
    [['run', '<hot>', '--witnesses', '-1'], 'tlbsim: --witnesses: expected an integer 0..1000, got -1\n'],
    [
      ['run', '<hot>', '--witness-class', 'bogus'],
      'tlbsim: --witness-class: expected one of cross-vm, use-after-free, stale-mapping, stale-root, got bogus\n',
    ],
    [['run', '<hot>', '--witness-vm', '4'], 'tlbsim: --witness-vm: expected an integer 0..3, got 4\n'],
    [['trace', '<report>', '--witnesses', 'x'], 'tlbsim: --witnesses: expected an integer 0..1000, got x\n'],
    [
      ['replay', '<report>', '--until-window', '0'],
      'tlbsim: --until-window: expected an integer 1..1000000000, got 0\n',
    ],
  ])('%j exits 2 with one line naming the flag and its limit', async (args, line) => {
    const r = await inProcess(...args.map((a) => (a === '<hot>' ? hot : a === '<report>' ? reportFile : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(line);
    expect(r.stdout).toBe('');
  });

  it("trace prints every kept witness's full causal chain, trace-cmd style, in time order; filters like run", async () => {
    const r = await inProcess('trace', reportFile);
    expect(r.status).toBe(0);
    const blocks = r.stdout.split(/^# witness /m).slice(1);
    expect(blocks).toHaveLength(report.violations.witnesses.length);
    expect(r.stdout).toMatch(/^# tlbsim trace: hot, seed \d+, policy overhaul, digest [0-9a-f]{64}\n/);
    for (const block of blocks) {
      const events = block.split('\n').filter((l) => /^ *[a-z0-9.-]+ \[\d{3}\] \d+\.\d{9}: [a-z_0-9]+: /.test(l));
      expect(events.length).toBeGreaterThanOrEqual(3);
      const times = events.map((l) => Number(/\] (\d+\.\d{9}):/.exec(l)![1]));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(events[events.length - 1]).toContain('tlb_stale_hit');
    }
    const cross = await inProcess('trace', reportFile, '--witness-class', 'cross-vm');
    expect(cross.stdout.match(/^# witness \d+\/\d+: (\S+)/gm)!.every((l) => l.endsWith('cross-vm'))).toBe(true);
    const missing = await inProcess('trace', join(dir, 'no-such-report.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `tlbsim: ${join(dir, 'no-such-report.json')}: no such file (give --redis <url> to read the report of job ${join(dir, 'no-such-report.json')})\n`,
    );
  });
});
