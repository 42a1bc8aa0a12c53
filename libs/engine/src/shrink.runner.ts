import { buildScenario, ScenarioInputError } from '@tlbsim/contracts';
import type { SimConfig, ViolationClass } from '@tlbsim/sim-core';
import { runToFirstViolation } from './hunt.runner';
import type { RunReport } from './report';

/** How big a violating run is; what `tlbsim shrink` makes smaller. */
export interface ShrinkSize {
  vms: number;
  vcpus: number;
  /** Guest accesses until the run stopped at its first violation. */
  accesses: number;
  /** Host and guest events (memslot, MMU notifier, nested, CR4, CR3, INVLPG) until then. */
  events: number;
  /** Simulated time until then. */
  simulatedNs: number;
  /** Lines of the first witness. */
  witnessEvents: number;
}

/** What to shrink. */
export interface ShrinkRequest {
  /** The parsed scenario (before overrides). */
  input: unknown;
  /** `dotted.path=value` overrides applied first (`--set`). */
  overrides: readonly string[];
  /** The class to keep. @defaultValue the class of the first violation */
  violationClass?: ViolationClass;
  /** Other seeds tried once the keys are shrunk. @defaultValue 16 */
  seeds?: number;
}

/** The result of a shrink. */
export interface ShrinkResult {
  violationClass: ViolationClass;
  /** Overrides of the minimal scenario on top of the input (the request's, then the shrunk keys). */
  overrides: string[];
  config: SimConfig;
  /** The minimal run, stopped at its first violation. */
  report: RunReport;
  before: ShrinkSize;
  after: ShrinkSize;
  /** Runs tried. */
  runs: number;
}

/** A key shrunk toward its smallest value, in the order they are tried (biggest effect first). */
const SHRINK_KEYS: readonly { key: string; min: number }[] = [
  { key: 'fleet.hosts', min: 1 },
  { key: 'fleet.vmsPerHost', min: 1 },
  { key: 'fleet.vcpusPerVm', min: 1 },
  { key: 'events.mmuNotifierInvalidationsPerSec', min: 0 },
  { key: 'events.nestedTransitionsPerSec', min: 0 },
  { key: 'events.cr4WritesPerSec', min: 0 },
  { key: 'events.memslotUpdatesPerSec', min: 0 },
  { key: 'events.mmuNotifierPages', min: 1 },
  { key: 'workload.cr3SwitchesPerMillionAccesses', min: 0 },
  { key: 'workload.invlpgPerMillionAccesses', min: 0 },
  { key: 'workload.processes', min: 1 },
  { key: 'workload.hotPages', min: 1 },
  { key: 'workload.workingSetPages', min: 1 },
  { key: 'workload.accessesPerVcpu', min: 1 },
];

/** Reads a dotted key of a config. */
function valueAt(config: SimConfig, key: string): number {
  return key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], config) as number;
}

/** The size of a violating run. */
export function shrinkSizeOf(report: RunReport): ShrinkSize {
  const e = report.metrics.events;
  return {
    vms: report.fleet.hosts * report.fleet.vmsPerHost, vcpus: report.fleet.vcpus, accesses: report.metrics.accesses,
    events: e.memslotUpdates + e.mmuNotifierInvalidations + e.nestedTransitions + e.cr4Writes + e.cr3Switches + e.invlpg,
    simulatedNs: report.metrics.simulatedNs, witnessEvents: report.violations.witnesses[0]?.lines.length ?? 0,
  };
}

/** Smaller first: fewer vCPUs, a shorter witness, fewer accesses. */
function smaller(a: ShrinkSize, b: ShrinkSize): boolean {
  return (a.vcpus - b.vcpus || a.witnessEvents - b.witnessEvents || a.accesses - b.accesses) < 0;
}

/**
 * Delta debugging of a violating scenario, keeping its class: with the seed
 * fixed, each key of {@link SHRINK_KEYS} goes to its smallest value, else
 * is bisected toward it, as long as the run still has a violation of the
 * class; then other seeds are tried and, if one gives a smaller run, the
 * keys are shrunk again. Every run stops at its first violation.
 *
 * @throws ScenarioInputError if the scenario does not validate or has no violation (of the class)
 */
export async function runShrink(request: ShrinkRequest): Promise<ShrinkResult> {
  // One shard: the digest does not depend on it and smaller fleets must stay valid.
  const fixed = [...request.overrides, 'run.shards=1'];
  const first = await runToFirstViolation(buildScenario(request.input, fixed), request.violationClass);
  const cls = request.violationClass ?? first.violations.witnesses[0]?.class;
  if (!cls || first.violations.byClass[cls] === 0) {
    throw new ScenarioInputError([{ path: '', value: cls, constraint: 'violation', message: `no ${cls ?? ''} violation in the scenario: nothing to shrink`.replace('no  ', 'no ') }]);
  }
  let runs = 1;
  const values = new Map<string, number>();
  let best = { report: first, config: buildScenario(request.input, fixed) };
  const overridesOf = (v: Map<string, number>): string[] => [...fixed, ...[...v].map(([k, x]) => `${k}=${x}`)];
  /** Runs the scenario with `v`; the report if it still violates `cls`. */
  const holds = async (v: Map<string, number>): Promise<{ report: RunReport; config: SimConfig } | null> => {
    let config: SimConfig;
    try {
      config = buildScenario(request.input, overridesOf(v));
    } catch (error) {
      if (error instanceof ScenarioInputError) return null;
      throw error;
    }
    runs++;
    const report = await runToFirstViolation(config, cls);
    return report.violations.byClass[cls] > 0 ? { report, config } : null;
  };
  const shrinkKeys = async (): Promise<void> => {
    // A run stopped at its first violation needs little more than it made: cut the tail first, with
    // room for a smaller fleet, whose first violation (a page reused by another VM) may come later.
    const cut = 4 * Math.ceil(best.report.metrics.accesses / best.report.fleet.vcpus) + 1;
    if (cut < best.config.workload.accessesPerVcpu) await tryValue('workload.accessesPerVcpu', cut);
    for (const { key, min } of SHRINK_KEYS) {
      let hi = valueAt(best.config, key);
      if (hi <= min || (await tryValue(key, min))) continue;
      let lo = min;
      while (hi - lo > Math.max(1, hi * 0.05)) {
        const mid = Math.floor((lo + hi) / 2);
        if (await tryValue(key, mid)) hi = mid;
        else lo = mid;
      }
    }
  };
  const tryValue = async (key: string, value: number): Promise<boolean> => {
    const next = new Map(values).set(key, value);
    const ok = await holds(next);
    if (ok) { values.set(key, value); best = ok; }
    return ok !== null;
  };
  await shrinkKeys();
  const seed0 = best.config.seed;
  let reseeded = false;
  for (let s = 1; s <= (request.seeds ?? 16); s++) {
    const next = new Map(values).set('seed', (seed0 + s) % 4294967296);
    const ok = await holds(next);
    if (ok && smaller(shrinkSizeOf(ok.report), shrinkSizeOf(best.report))) { values.set('seed', next.get('seed')!); best = ok; reseeded = true; }
  }
  if (reseeded) await shrinkKeys();
  return { violationClass: cls, overrides: overridesOf(values), config: best.config, report: best.report, before: shrinkSizeOf(first), after: shrinkSizeOf(best.report), runs };
}
