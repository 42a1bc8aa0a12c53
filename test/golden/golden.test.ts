/**
 * Golden digests: the digest (and a few headline numbers, for reviewers) of
 * every shipped scenario and of a few small fixed ones, pinned in
 * test/golden/digests.json. Shard-invariance tests cannot see a change that
 * moves every shard count's result the same way; this does.
 *
 * A change that is meant to change results updates the file with
 *   npm run golden:update
 * and the reviewer reads its diff (which cases moved, and how their
 * violations, misses and hypercalls moved with them).
 */
import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { buildScenario, parseScenarioText } from '@tlbsim/contracts';
import { RunReport, runInProcess } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';

const ROOT = join(__dirname, '..', '..');
const FILE = join(__dirname, 'digests.json');
const UPDATE = process.env.TLBSIM_GOLDEN_UPDATE === '1';

/** Overrides that keep a shipped scenario fast here (the file's own size is for people). */
const SHIPPED_OVERRIDES: Record<string, string[]> = {
  'fleet.yaml': ['workload.accessesPerVcpu=10000'],
  // With L0's refills priced (costs.l0NestedFaultCycles) its 1M accesses per vCPU take about 110 s of test time.
  'intel-ept-on-hyperv.yaml': ['workload.accessesPerVcpu=200000'],
};

/** Small fixed scenarios: the bug's setup (one vCPU per VM, fewer accesses) under each policy and toggle. */
const SMALL = ['workload.accessesPerVcpu=50000', 'fleet.vcpusPerVm=1'];
const FIXED: Record<string, { file: string; overrides: string[] }> = {
  'small/overhaul': { file: 'hyperv-svm-root-reuse.yaml', overrides: [...SMALL, 'kvm.policy=overhaul'] },
  'small/overhaul+hv-flush-current': {
    file: 'hyperv-svm-root-reuse.yaml',
    overrides: [...SMALL, 'kvm.policy="overhaul+hv-flush-current"'],
  },
  'small/pre-overhaul': { file: 'hyperv-svm-root-reuse.yaml', overrides: [...SMALL, 'kvm.policy="pre-overhaul"'] },
  'small/intel': { file: 'hyperv-svm-root-reuse.yaml', overrides: [...SMALL, 'platform.vendor=intel'] },
  'small/undersized-range-flush': {
    file: 'hyperv-svm-root-reuse.yaml',
    overrides: [...SMALL, 'kvm.policy="overhaul+hv-flush-current"', 'kvm.undersizedRangeFlush=true'],
  },
  'small/free-before-flush': {
    file: 'hyperv-svm-root-reuse.yaml',
    overrides: [...SMALL, 'kvm.policy="overhaul+hv-flush-current"', 'kvm.freeBeforeFlush=true'],
  },
};

/** One pinned case: where it comes from and what it gave. */
interface Golden {
  scenario: string;
  overrides: string[];
  digest: string;
  violations: RunReport['violations']['byClass'];
  accesses: number;
  tlbMisses: number;
  hypercalls: number;
}

function load(file: string, overrides: readonly string[]): SimConfig {
  return buildScenario(parseScenarioText(readFileSync(join(ROOT, 'scenarios', file), 'utf8'), 'yaml'), overrides);
}

/** Every case by name: each shipped scenario (scenarios/*.yaml), then the fixed ones. */
function cases(): Record<string, { file: string; overrides: string[] }> {
  const shipped = readdirSync(join(ROOT, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return {
    ...Object.fromEntries(shipped.map((f) => [`scenarios/${f}`, { file: f, overrides: SHIPPED_OVERRIDES[f] ?? [] }])),
    ...FIXED,
  };
}

async function goldenOf(file: string, overrides: string[]): Promise<Golden> {
  const r = await runInProcess(load(file, overrides));
  const h = r.metrics.hypercalls;
  return {
    scenario: `scenarios/${file}`,
    overrides,
    digest: r.digest,
    violations: r.violations.byClass,
    accesses: r.metrics.accesses,
    tlbMisses: r.metrics.tlb.misses,
    hypercalls: h.flushGuestPhysicalAddressSpace + h.flushGuestPhysicalAddressList,
  };
}

describe('golden digests (test/golden/digests.json; update: npm run golden:update)', () => {
  const all = cases();
  const pinned = (() => {
    try {
      return JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, Golden>;
    } catch {
      return {} as Record<string, Golden>;
    }
  })();
  const fresh: Record<string, Golden> = {};

  if (UPDATE) {
    afterAll(() => writeFileSync(FILE, `${JSON.stringify(fresh, null, 2)}\n`));
  }

  it('pins exactly the shipped scenarios and the fixed cases', () => {
    if (UPDATE) return;
    expect(Object.keys(pinned).sort()).toEqual(Object.keys(all).sort());
  });

  for (const [name, { file, overrides }] of Object.entries(all)) {
    it(`${name}${overrides.length ? ` (${overrides.join(' ')})` : ''}`, async () => {
      const got = await goldenOf(file, overrides);
      fresh[name] = got;
      if (UPDATE) return;
      // On purpose? `npm run golden:update`, then review the diff of test/golden/digests.json.
      expect(got).toEqual(pinned[name]);
    });
  }
});
