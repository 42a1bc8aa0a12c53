import { spawnSync } from 'child_process';
import { join } from 'path';

/**
 * The JSON keys issue 2 names are a public contract users script against:
 * `tlbsim run --json` must keep every one of them.
 */
const MAIN = join(__dirname, '..', 'services', 'cli', 'dist', 'main.js');
const SCENARIO = join(__dirname, '..', 'scenarios', 'hyperv-svm-root-reuse.yaml');

const RUN_KEYS = [
  'scenario',
  'seed',
  'policy',
  'digest',
  'violations.total',
  'violations.byClass.stale-root',
  'violations.byClass.use-after-free',
  'violations.byClass.cross-vm',
  'violations.byClass.stale-mapping',
  'violations.witnesses',
  'metrics.accesses',
  'metrics.tlb.hits',
  'metrics.tlb.misses',
  'metrics.nestedWalks',
  'metrics.hypercalls.flushGuestPhysicalAddressSpace',
  'metrics.hypercalls.flushGuestPhysicalAddressList',
  'metrics.shootdownMessages',
  'metrics.roots.allocated',
  'metrics.roots.freed',
  'metrics.roots.pageReused',
  'metrics.cycles.total',
];

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('tlbsim run --json contract', () => {
  it('has every key the issue names, with the right types', () => {
    const out = spawnSync(
      process.execPath,
      [MAIN, 'run', SCENARIO, '--set', 'workload.accessesPerVcpu=20000', '--seed', '9', '--json'],
      { encoding: 'utf8' },
    );
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    const missing = RUN_KEYS.filter((k) => at(report, k) === undefined);
    expect(missing).toEqual([]);
    expect(report.seed).toBe(9);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Array.isArray(report.violations.witnesses)).toBe(true);
    for (const k of RUN_KEYS.filter((x) => x.startsWith('metrics.'))) expect(typeof at(report, k)).toBe('number');
  });

  it('compare --json gives one report per policy, in order, and the overhead vs the first', () => {
    const policies = ['overhaul', 'overhaul+hv-flush-current'];
    const out = spawnSync(
      process.execPath,
      [
        MAIN,
        'compare',
        SCENARIO,
        '--policies',
        policies.join(','),
        '--set',
        'workload.accessesPerVcpu=20000',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(out.status).toBe(0);
    const cmp = JSON.parse(out.stdout);
    expect(cmp.policies).toEqual(policies);
    expect(cmp.reports.map((r: { policy: string }) => r.policy)).toEqual(policies);
    expect(cmp.overheadVsFirst[0]).toBe(0);
    expect(cmp.overheadVsFirst[1]).toBeGreaterThan(0); // the fix's hypercalls cost cycles
  });
});
