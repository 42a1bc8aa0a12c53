import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { RunReport } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliIo, SimulationRunner } from './cli.context';
import { compareCommand } from './commands/compare.command';
import { runCommand } from './commands/run.command';
import { schemaCommand } from './commands/schema.command';
import { runCli } from './program';
import { sampleRunReport } from './testing/report.fixture';

const dir = mkdtempSync(join(tmpdir(), 'tlbsim-cli-'));
const scenario = join(dir, 'ok.yaml');
writeFileSync(scenario, 'name: unit\nfleet:\n  hosts: 2\n');

/** Runs the CLI in process with a fake runner; returns exit code, output and the configs run. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string; configs: SimConfig[] }> {
  let out = '';
  let err = '';
  const configs: SimConfig[] = [];
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s) };
  const run: SimulationRunner = async (config) => {
    configs.push(config);
    return sampleRunReport(
      config.kvm.policy,
      config.kvm.policy === 'overhaul' ? 10 : 11,
      config.kvm.policy === 'overhaul' ? 2 : 0,
    );
  };
  const code = await runCli(['node', 'tlbsim', ...args], [runCommand, compareCommand, schemaCommand], io, run);
  return { code, out, err, configs };
}

describe('tlbsim (in process)', () => {
  it('run prints the human report and exits 0', async () => {
    const r = await cli('run', scenario);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tlbsim run: sample');
    expect(r.configs[0].fleet.hosts).toBe(2);
  });

  it('run --json prints exactly the report, then its run summary', async () => {
    const r = await cli('run', scenario, '--json');
    const { summary, ...report } = JSON.parse(r.out) as RunReport;
    expect(report).toEqual(sampleRunReport('overhaul', 10, 2));
    expect(summary).toMatchObject({ simulatedMs: report.metrics.simulatedNs / 1e6, config: { name: 'unit' } });
    expect(summary!.hostSeconds).toBeGreaterThanOrEqual(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('applies --set first, then the shorthands', async () => {
    const r = await cli(
      'run',
      scenario,
      '--set',
      'seed=5',
      '--set',
      'kvm.policy=pre-overhaul',
      '--seed',
      '9',
      '--policy',
      'overhaul+hv-flush-current',
      '--shards',
      '2',
      '--set',
      'tlb.ways=8',
    );
    expect(r.code).toBe(0);
    expect([r.configs[0].seed, r.configs[0].kvm.policy, r.configs[0].run.shards, r.configs[0].tlb.ways]).toEqual([
      9,
      'overhaul+hv-flush-current',
      2,
      8,
    ]);
  });

  it('--fail-on-violation exits 1 only when there are violations', async () => {
    expect((await cli('run', scenario, '--fail-on-violation')).code).toBe(1);
    expect((await cli('run', scenario, '--fail-on-violation', '--policy', 'pre-overhaul')).code).toBe(0);
  });

  it('a run that made no guest access exits 1 with one line, not a 0-violation report (issue 24)', async () => {
    const idle = async (...args: string[]) => {
      let out = '';
      let err = '';
      const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s) };
      const report = sampleRunReport('overhaul', 10, 0);
      report.metrics.accesses = 0;
      const code = await runCli(['node', 'tlbsim', ...args], [runCommand], io, async () => report);
      return { code, out, err };
    };
    for (const json of [[], ['--json']]) {
      const r = await idle('run', scenario, ...json);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(
        /^tlbsim: the run made no guest access \(4 vCPUs, [0-9]+ ns simulated\): nothing was checked, this is not a pass\n$/,
      );
    }
  });

  it.each([
    [['run', scenario, '--set', 'fleet.hosts=5000'], 'fleet.hosts: 5000 exceeds the maximum 4096'],
    [['run', scenario, '--set', 'fleet.nope=1'], 'fleet.nope: unknown key'],
    [['run', join(dir, 'missing.yaml')], 'missing.yaml: no such file'],
    [['run', scenario, '--set', 'oops'], 'override "oops"'],
    [['run', scenario, '--policy', 'yolo'], 'kvm.policy: "yolo" is not one of pre-overhaul, overhaul'],
    [['run', scenario, '--seed', '-1'], 'seed: -1 is below the minimum 0'],
    [['run', scenario, '--bogus'], "unknown option '--bogus'"],
    [['run'], "missing required argument 'scenario'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['compare', scenario], "required option '--policies <list>' not specified"],
    [['compare', scenario, '--policies', 'overhaul,yolo'], 'kvm.policy: "yolo" is not one of'],
  ])('bad input %j exits 2 naming the problem in one line', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    if (!r.err.includes('invalid input')) expect(r.err).toMatch(/^tlbsim: [^\n]+\n$/);
    expect(r.configs).toHaveLength(0);
  });

  it.each([
    [['--witnesses', 'abc'], 'tlbsim: --witnesses: expected an integer 0..1000, got abc\n'],
    [['--witnesses', '-1'], 'tlbsim: --witnesses: expected an integer 0..1000, got -1\n'],
    [['--witnesses', '2.5'], 'tlbsim: --witnesses: expected an integer 0..1000, got 2.5\n'],
    [
      ['--witness-class', 'stale'],
      'tlbsim: --witness-class: expected one of cross-vm, use-after-free, stale-mapping, stale-root, got stale\n',
    ],
    // ok.yaml has 2 hosts x 2 VMs: fleet-wide VM numbers 0..3.
    [['--witness-vm', '4'], 'tlbsim: --witness-vm: expected an integer 0..3, got 4\n'],
    [['--witness-vm', 'x'], 'tlbsim: --witness-vm: expected an integer 0..3, got x\n'],
  ])('run with bad witness flags %j exits 2 with one line, before running', async (args, line) => {
    const r = await cli('run', scenario, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(line);
    expect(r.configs).toHaveLength(0);
  });

  it('run --witness-class and --witness-vm filter the printed witnesses', async () => {
    const shown = await cli('run', scenario, '--witness-class', 'stale-root', '--witness-vm', '1');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('#1 stale-root: host 0 vm 1');
    const none = await cli('run', scenario, '--witness-class', 'cross-vm');
    expect(none.out).toContain('Witnesses: none of class cross-vm among the 1 kept');
    expect(none.out).not.toContain('#1 ');
  });

  it('--help exits 0', async () => {
    const r = await cli('run', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--fail-on-violation');
  });

  it('compare runs each policy and prints the table or the JSON', async () => {
    const table = await cli('compare', scenario, '--policies', 'overhaul,pre-overhaul');
    expect(table.code).toBe(0);
    expect(table.configs.map((c) => c.kvm.policy)).toEqual(['overhaul', 'pre-overhaul']);
    expect(table.out).toContain('+10.0%');
    const json = JSON.parse(
      (await cli('compare', scenario, '--policies', 'overhaul,pre-overhaul', '--json', '--seed', '3')).out,
    );
    expect(json.policies).toEqual(['overhaul', 'pre-overhaul']);
    expect(json.overheadVsFirst[1]).toBeCloseTo(10);
    expect(json.reports).toHaveLength(2);
  });

  it('schema prints JSON with properties, --markdown the reference', async () => {
    expect(JSON.parse((await cli('schema')).out).properties.fleet).toBeDefined();
    expect((await cli('schema', '--markdown')).out).toContain('| `fleet.hosts` |');
  });

  it('an engine failure exits 3', async () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
    const code = await runCli(['node', 'tlbsim', 'run', scenario], [runCommand], io, async () => {
      throw new Error('boom');
    });
    expect(code).toBe(3);
    expect(err).toContain('run failed: Error: boom');
  });
});
