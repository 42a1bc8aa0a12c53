import { buildScenario, ScenarioInputError, SHRINK_LIMITS } from '@tlbsim/contracts';
import type { SimConfig, ViolationClass } from '@tlbsim/sim-core';
import type { RunReport } from './report';
import { BatchSearch, PointAnswer, runBatchSearch, SearchPoint } from './search.batch';

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

/** Options of {@link runShrink}. */
export interface ShrinkOptions {
  /** Runs one point. @defaultValue in process, stopping at its first violation */
  run?: (point: SearchPoint) => Promise<PointAnswer>;
  /** Called after each batch with the points run so far. */
  onBatch?: (pointsDone: number) => void;
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
    vms: report.fleet.hosts * report.fleet.vmsPerHost,
    vcpus: report.fleet.vcpus,
    accesses: report.metrics.accesses,
    events:
      e.memslotUpdates + e.mmuNotifierInvalidations + e.nestedTransitions + e.cr4Writes + e.cr3Switches + e.invlpg,
    simulatedNs: report.metrics.simulatedNs,
    witnessEvents: report.violations.witnesses[0]?.lines.length ?? 0,
  };
}

/** Smaller first: fewer vCPUs, a shorter witness, fewer accesses. */
function smaller(a: ShrinkSize, b: ShrinkSize): boolean {
  return (a.vcpus - b.vcpus || a.witnessEvents - b.witnessEvents || a.accesses - b.accesses) < 0;
}

/** Phases of a shrink, in order (`cut` and `keys` come again after a smaller seed). */
type ShrinkPhase = 'first' | 'cut' | 'keys' | 'seeds' | 'done';

/** A step of the search over one key: its smallest value first, then bisection of [lo, hi]. */
interface ShrinkNode {
  key: string;
  kind: 'min' | 'bisect';
  lo: number;
  hi: number;
}

/** A value asked for: the key set to it; `ran` false when the scenario did not validate (not run, not counted). */
interface ShrinkQuery {
  key: string;
  value: number;
  config: SimConfig | null;
}

/** The state of a {@link ShrinkDriver} between two batches, as JSON. */
export interface ShrinkDriverState {
  phase: ShrinkPhase;
  pass: number;
  cls: ViolationClass | null;
  /** The shrunk keys so far, in the order first set. */
  values: [string, number][];
  best: { config: SimConfig; report: RunReport } | null;
  before: ShrinkSize | null;
  keyIndex: number;
  node: ShrinkNode | null;
  reseeded: boolean;
  runs: number;
  pending: ShrinkQuery[];
}

/** The value a node asks for, or null when its key is done. */
function valueOf(node: ShrinkNode): number | null {
  if (node.kind === 'min') return node.lo;
  return node.hi - node.lo > Math.max(1, node.hi * 0.05) ? Math.floor((node.lo + node.hi) / 2) : null;
}

/** The node after `node` asked for `value` and got `holds`; null when the key is done. */
function childOf(node: ShrinkNode, value: number, holds: boolean): ShrinkNode | null {
  if (node.kind === 'min') return holds ? null : { ...node, kind: 'bisect' };
  return holds ? { ...node, hi: value } : { ...node, lo: value };
}

/**
 * Delta debugging of a violating scenario, keeping its class, as a
 * {@link BatchSearch}: with the seed fixed, each key of {@link SHRINK_KEYS}
 * goes to its smallest value, else is bisected toward it, as long as the
 * run still has a violation of the class; then other seeds are tried (one
 * batch) and, if one gives a smaller run, the keys are shrunk again. Every
 * run stops at its first violation.
 *
 * With `levels` above 1 a batch holds the next `levels` levels of a key's
 * bisection (the values both outcomes would lead to), so several workers
 * share it; the values kept, and so the result and its `runs`, are those
 * of one level at a time: only the runs on the path taken count.
 */
export class ShrinkDriver implements BatchSearch<ShrinkResult> {
  private readonly state: ShrinkDriverState;
  private readonly fixed: string[];

  /**
   * @param request - what to shrink
   * @param levels - bisection levels per batch @defaultValue 1
   * @param state - where to go on from (see {@link snapshot}); a new shrink when absent
   */
  constructor(
    private readonly request: ShrinkRequest,
    private readonly levels = 1,
    state?: ShrinkDriverState,
  ) {
    // One shard: the digest does not depend on it and smaller fleets must stay valid.
    this.fixed = [...request.overrides, 'run.shards=1'];
    this.state = state ?? {
      phase: 'first',
      pass: 1,
      cls: request.violationClass ?? null,
      values: [],
      best: null,
      before: null,
      keyIndex: -1,
      node: null,
      reseeded: false,
      runs: 0,
      pending: [],
    };
  }

  /** Runs counted so far. */
  get runs(): number {
    return this.state.runs;
  }

  /** The smallest violating run so far, or null before the first batch. */
  get best(): ShrinkSize | null {
    return this.state.best ? shrinkSizeOf(this.state.best.report) : null;
  }

  private overridesOf(values: Iterable<[string, number]>): string[] {
    return [...this.fixed, ...[...values].map(([k, x]) => `${k}=${x}`)];
  }

  /** The query of `key=value` on top of the shrunk keys; no config when it does not validate. */
  private query(key: string, value: number): ShrinkQuery {
    try {
      return {
        key,
        value,
        config: buildScenario(this.request.input, this.overridesOf(new Map(this.state.values).set(key, value))),
      };
    } catch (error) {
      if (error instanceof ScenarioInputError) return { key, value, config: null };
      throw error;
    }
  }

  nextBatch(): SearchPoint[] | null {
    for (;;) {
      const queries = this.queries();
      if (!queries) return null;
      this.state.pending = queries;
      const points = queries
        .filter((q) => q.config)
        .map((q) => ({ label: { [q.key || 'scenario']: q.value }, config: q.config!, cls: this.state.cls }));
      if (points.length > 0) return points;
      this.record([]);
    }
  }

  /** The queries of the next batch, moving through phases that need none; null when done. */
  private queries(): ShrinkQuery[] | null {
    const s = this.state;
    for (;;) {
      if (s.phase === 'done') return null;
      if (s.phase === 'first') return [{ key: '', value: 0, config: buildScenario(this.request.input, this.fixed) }];
      const best = s.best!;
      if (s.phase === 'cut') {
        // A run stopped at its first violation needs little more than it made: cut the tail first, with
        // room for a smaller fleet, whose first violation (a page reused by another VM) may come later.
        const cut = 4 * Math.ceil(best.report.metrics.accesses / best.report.fleet.vcpus) + 1;
        if (cut < best.config.workload.accessesPerVcpu) return [this.query('workload.accessesPerVcpu', cut)];
        Object.assign(s, { phase: 'keys', keyIndex: -1, node: null });
      }
      if (s.phase === 'keys') {
        s.node ??= this.nextKey();
        if (s.node) return this.treeQueries(s.node);
        s.phase = s.pass === 1 ? 'seeds' : 'done';
        continue;
      }
      const seed0 = best.config.seed;
      const seeds = this.request.seeds ?? SHRINK_LIMITS.seedsDefault;
      if (seeds === 0) {
        s.phase = 'done';
        continue;
      }
      return Array.from({ length: seeds }, (_, i) => this.query('seed', (seed0 + i + 1) % 4294967296));
    }
  }

  /** The first step of the next key that can shrink, or null after the last. */
  private nextKey(): ShrinkNode | null {
    const s = this.state;
    while (++s.keyIndex < SHRINK_KEYS.length) {
      const { key, min } = SHRINK_KEYS[s.keyIndex];
      const hi = valueAt(s.best!.config, key);
      if (hi > min) return { key, kind: 'min', lo: min, hi };
    }
    return null;
  }

  /** The values of the next `levels` levels below `node`, breadth first. */
  private treeQueries(node: ShrinkNode): ShrinkQuery[] {
    const out: ShrinkQuery[] = [];
    let level: ShrinkNode[] = [node];
    for (let d = 0; d < this.levels && level.length > 0; d++) {
      const next: ShrinkNode[] = [];
      for (const n of level) {
        const v = valueOf(n);
        if (v === null) continue;
        out.push(this.query(n.key, v));
        for (const holds of [true, false]) {
          const child = childOf(n, v, holds);
          if (child) next.push(child);
        }
      }
      level = next;
    }
    return out;
  }

  record(answers: readonly PointAnswer[]): void {
    const s = this.state;
    const pending = s.pending;
    let i = 0;
    const answerOf = pending.map((q) => (q.config ? answers[i++] : undefined));
    if (i > answers.length) throw new Error(`shrink: ${answers.length} answers for ${i} points`);
    s.pending = [];
    if (s.phase === 'first') return this.recordFirst(pending[0], answerOf[0]!);
    const holds = (k: number): boolean => {
      const a = answerOf[k];
      if (a) s.runs++;
      return !!a?.report && a.violations > 0 && a.report.violations.byClass[s.cls!] > 0;
    };
    const keep = (k: number): void => {
      const q = pending[k];
      s.values = [...new Map(s.values).set(q.key, q.value)];
      s.best = { config: q.config!, report: answerOf[k]!.report! };
    };
    if (s.phase === 'cut') {
      if (holds(0)) keep(0);
      Object.assign(s, { phase: 'keys', keyIndex: -1, node: null });
    } else if (s.phase === 'keys') {
      this.walk(pending, holds, keep);
    } else if (s.phase === 'seeds') {
      for (let k = 0; k < pending.length; k++) {
        if (holds(k) && smaller(shrinkSizeOf(answerOf[k]!.report!), shrinkSizeOf(s.best!.report))) {
          keep(k);
          s.reseeded = true;
        }
      }
      Object.assign(s, s.reseeded ? { phase: 'cut', pass: 2 } : { phase: 'done' });
    }
  }

  /** The first run: the class to keep, or an input error when it has no violation (of the class). */
  private recordFirst(q: ShrinkQuery, a: PointAnswer): void {
    const s = this.state;
    const cls = s.cls ?? a.report?.violations.witnesses[0]?.class;
    if (!cls || !a.report || a.report.violations.byClass[cls] === 0) {
      throw new ScenarioInputError([
        {
          path: '',
          value: cls,
          constraint: 'violation',
          message: `no ${cls ?? ''} violation in the scenario: nothing to shrink`.replace('no  ', 'no '),
        },
      ]);
    }
    Object.assign(s, {
      cls,
      runs: 1,
      best: { config: q.config!, report: a.report },
      before: shrinkSizeOf(a.report),
      phase: 'cut',
    });
  }

  /** Follows the key's bisection through the batch's answers, as far as they go. */
  private walk(pending: ShrinkQuery[], holds: (k: number) => boolean, keep: (k: number) => void): void {
    const s = this.state;
    let node = s.node;
    while (node) {
      const v = valueOf(node);
      const k = v === null ? -1 : pending.findIndex((q) => q.key === node!.key && q.value === v);
      if (v !== null && k < 0) break;
      if (v === null) {
        node = null;
        break;
      }
      const ok = holds(k);
      if (ok) keep(k);
      node = childOf(node, v, ok);
    }
    s.node = node;
  }

  ends(): boolean {
    return false;
  }

  result(): ShrinkResult {
    const s = this.state;
    const best = s.best!;
    return {
      violationClass: s.cls!,
      overrides: this.overridesOf(s.values),
      config: best.config,
      report: best.report,
      before: s.before!,
      after: shrinkSizeOf(best.report),
      runs: s.runs,
    };
  }

  snapshot(): ShrinkDriverState {
    return JSON.parse(JSON.stringify(this.state)) as ShrinkDriverState;
  }
}

/**
 * Shrinks a violating scenario in this process (see {@link ShrinkDriver}).
 *
 * @throws ScenarioInputError if the scenario does not validate or has no violation (of the class)
 */
export function runShrink(request: ShrinkRequest, opts: ShrinkOptions = {}): Promise<ShrinkResult> {
  return runBatchSearch(new ShrinkDriver(request), opts);
}
