/**
 * The built `tlbsim` executable, spawned as a user would run it. Needs
 * `npm run build` first (root `npm test` does it).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildScenario } from '@tlbsim/contracts';

const MAIN = join(__dirname, '..', 'services', 'cli', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-e2e-'));

/** Writes a scenario file and returns its path. */
function scenario(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs `node services/cli/dist/main.js ...args`. */
function tlbsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

  it('unknown key: exit 2 with its dotted path', () => {
    const r = tlbsim('run', scenario('unknown.json', '{"name":"u","tlb":{"entries":1536,"colour":"red"}}'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('tlb.colour: unknown key');
  });

  it('missing file: exit 2', () => {
    const r = tlbsim('run', join(dir, 'nope.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.yaml: no such file');
  });

  it('bad --set: exit 2', () => {
    const r = tlbsim('run', ok, '--set', 'fleet.hosts');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('override "fleet.hosts": expected dotted.path=value');
  });

  it('unknown policy: exit 2 and lists the valid ones', () => {
    const r = tlbsim('run', ok, '--policy', 'yolo');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('kvm.policy: "yolo" is not one of');
    expect(r.stderr).toContain('overhaul+hv-flush-current');
    expect(r.stderr).toContain('enlightened-tlb-off');
  });

  it('compare with a policy listed twice: exit 2 naming it', () => {
    const r = tlbsim('compare', ok, '--policies', 'overhaul,pre-overhaul,overhaul');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('overhaul is listed more than once');
  });

  it('replay of a job that did not complete: exit 2, naming the state, before running anything', () => {
    const config = buildScenario({ name: 'cancelled', workload: { accessesPerVcpu: 50000000 } }, []);
    const file = scenario('cancelled.ndjson', [
      { kind: 'job', id: 'j-1', name: 'cancelled', policy: config.kvm.policy, seed: config.seed, shards: 2, createdAt: '2026-01-01T00:00:00.000Z', config },
      { kind: 'result', state: 'cancelled', digest: null, report: null },
    ].map((l) => JSON.stringify(l)).join('\n'));
    const r = tlbsim('replay', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`tlbsim: ${file}: job j-1 did not complete (cancelled): its export has no digest to reproduce, so there is nothing to replay\n`);
    expect(r.stdout).toBe('');
  });

  it('unknown option: exit 2', () => {
    const r = tlbsim('run', ok, '--frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('schema prints a JSON Schema with properties', () => {
    const r = tlbsim('schema');
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
    expect(Object.keys(report.violations.byClass).sort()).toEqual(['cross-vm', 'stale-mapping', 'stale-root', 'use-after-free']);
    expect(report.scenario).toBe('e2e');
  });
});
