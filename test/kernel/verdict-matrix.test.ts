import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { RunReport, runInProcess } from '@tlbsim/engine';
import { POLICY_NAMES, SimConfig } from '@tlbsim/sim-core';
import { ROOT, rootReuseCompressed, shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24: the verdict matrix of docs/model.md is produced here, not by
 * hand: every policy and modifier against the settings that decide a
 * verdict. The test fails when docs/model.md's table differs from what the
 * model gives now; `TLBSIM_DOCS_UPDATE=1 npx jest test/kernel/verdict-matrix`
 * rewrites it. It also pins the verdicts the model must give.
 */

/**
 * The churn settings: 2 ms of one host with one-vCPU VMs, about a hundred
 * memslot updates and two hundred invalidations, long enough for roots to
 * outlive their RCU grace period (latency.rootFreeNs, 1 ms) and be reused.
 */
const ACCESSES = ['workload.accessesPerVcpu=100000000', 'run.simulatedMs=2', 'fleet.hosts=1', 'fleet.vcpusPerVm=1'];
const CHURN = ['events.smiPerSec=0'];
const SMI_ONLY = [
  'events.memslotUpdatesPerSec=0',
  'events.mmuNotifierInvalidationsPerSec=0',
  'run.simulatedMs=3',
  'fleet.vcpusPerVm=2',
];

/** One column: a setting, how to build it for a policy, and the event count that says it was exercised. */
interface Column {
  name: string;
  build: (policy: string) => SimConfig;
  exercised: (r: RunReport) => number;
}

const churn = (extra: string[]) => (policy: string) =>
  rootReuseCompressed([...ACCESSES, ...CHURN, ...extra, `kvm.policy=${policy}`]);
const churnEvents = (r: RunReport) => r.metrics.events.memslotUpdates + r.metrics.events.mmuNotifierInvalidations;

const COLUMNS: Column[] = [
  { name: 'AMD, Hyper-V, enlightened TLB', build: churn([]), exercised: churnEvents },
  { name: 'AMD, Hyper-V, no enlightenment', build: churn(['platform.enlightenedTlb=false']), exercised: churnEvents },
  { name: 'Intel, Hyper-V', build: churn(['platform.vendor=intel']), exercised: churnEvents },
  { name: 'AMD, bare metal', build: churn(['platform.l0=none']), exercised: churnEvents },
  {
    name: 'L3 half the time (AMD, Hyper-V, enl.)',
    build: churn(['workload.l3TimePercent=50', 'events.nestedTransitionsPerSec=80000']),
    exercised: (r) => r.metrics.events.l3Entries,
  },
  {
    name: 'SMM only (AMD, Hyper-V, enl.)',
    build: (policy) => shippedScenario('l2-boot', [...SMI_ONLY, `kvm.policy=${policy}`]),
    exercised: (r) => r.metrics.events.smis,
  },
  {
    name: 'CR0.WP only (AMD, Hyper-V, enl.)',
    build: (policy) =>
      shippedScenario('root-churn-fixes', ['events.smiPerSec=0', 'run.simulatedMs=2', `kvm.policy=${policy}`]),
    exercised: (r) => r.metrics.events.cr0WpToggles ?? 0,
  },
];

/** A cell: violations by their most severe class, none, or not exercised. */
function cell(r: RunReport, exercised: number): string {
  if (exercised === 0 || r.metrics.accesses === 0) return 'not exercised';
  const v = r.violations;
  if (v.total === 0) return 'none';
  const worst = (['cross-vm', 'use-after-free', 'stale-mapping', 'stale-root'] as const).find((c) => v.byClass[c] > 0);
  return `**${v.total.toLocaleString('en-US')}** (${worst})`;
}

const START = '<!-- verdict-matrix:start (test/kernel/verdict-matrix.test.ts) -->';
const END = '<!-- verdict-matrix:end -->';

describe('verdict matrix (docs/model.md)', () => {
  const results = new Map<string, string[]>();

  it.each([...POLICY_NAMES])('%s', async (policy) => {
    const row: string[] = [];
    for (const col of COLUMNS) {
      const r = await runInProcess(col.build(policy));
      row.push(cell(r, col.exercised(r)));
    }
    results.set(policy, row);
  });

  it('the verdicts the model must give', () => {
    const at = (policy: string, column: number) => results.get(policy)![column];
    // The seed bug: AMD, Hyper-V, enlightened TLB, overhaul; SMM-root reuse shows it too.
    expect(at('overhaul', 0)).toMatch(/^\*\*/);
    expect(at('overhaul', 5)).toMatch(/^\*\*/);
    // The fix and every column it applies to.
    for (const p of POLICY_NAMES.filter((n) => n.startsWith('overhaul+hv-flush-current')))
      expect(results.get(p)!.every((c) => c === 'none')).toBe(true);
    // No enlightenment, Intel, bare metal: correct whatever the TDP MMU does.
    for (const p of POLICY_NAMES) for (const c of [1, 2, 3]) expect([p, at(p, c)]).toEqual([p, 'none']);
    // The follow-up fixes take the churn away without e5c972c1fada.
    expect(at('overhaul+preserve-roots', 5)).toBe('none');
    expect(at('overhaul+preserve-roots', 6)).toBe('none');
    expect(at('overhaul+cr0wp-keep-roots', 6)).toBe('none');
  });

  it('is the table in docs/model.md', () => {
    const header = `| policy | ${COLUMNS.map((c) => c.name).join(' | ')} |`;
    const rule = `|---|${COLUMNS.map(() => '---').join('|')}|`;
    const rows = [...POLICY_NAMES].map((p) => `| \`${p}\` | ${results.get(p)!.join(' | ')} |`);
    const table = [START, header, rule, ...rows, END].join('\n');
    const file = join(ROOT, 'docs', 'model.md');
    const doc = readFileSync(file, 'utf8');
    const i = doc.indexOf(START);
    const j = doc.indexOf(END);
    expect(i).toBeGreaterThanOrEqual(0);
    const current = doc.slice(i, j + END.length);
    if (process.env.TLBSIM_DOCS_UPDATE === '1')
      writeFileSync(file, doc.slice(0, i) + table + doc.slice(j + END.length));
    else expect(current).toBe(table);
  });
});
