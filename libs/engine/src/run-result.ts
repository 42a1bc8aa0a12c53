import {
  C,
  COUNTER_NAMES,
  COUNTER_SLOTS,
  cyclesByOp,
  endNsOf,
  SERIES_POINTS_MAX,
  SERIES_WIDTH,
  seriesEveryWindowsOf,
  ShardPartial,
  SimConfig,
  VIOLATION_CLASSES,
  WitnessRecord,
} from '@tlbsim/sim-core';
import { vcpusOf } from '@tlbsim/contracts';
import { sha256Canonical } from './digest';
import { realUnitsOf } from './real-units';
import { RunReport, RunSeries, RunSeriesPoint, Witness } from './report';
import { seriesFieldsAt } from './series.fields';
import { compareWitnesses } from './witness.selection';
import { witnessLines } from './witness.renderer';
import { costWindowOf, mergeWarmup } from './warmup';
import { coverageOf } from './coverage';

/**
 * Counters that depend on how actors were placed, not on what was
 * simulated; they are reported but kept out of the digest.
 */
const PLACEMENT_COUNTERS = new Set(['crossShardMessages']);

/** Sums shard counters and merges witnesses (first `max` by time, plus the first of each class). */
export function mergePartials(partials: ShardPartial[], witnessesMax: number): ShardPartial {
  const counters = new Array<number>(COUNTER_SLOTS).fill(0);
  for (const p of partials)
    p.counters.forEach((v, i) => {
      counters[i] += v;
    });
  const all = partials.flatMap((p) => p.witnesses).sort(compareWitnesses);
  const witnesses = all.slice(0, witnessesMax);
  if (witnessesMax > 0) {
    for (const cls of VIOLATION_CLASSES) {
      const first = all.find((w) => w.class === cls);
      if (first && !witnesses.includes(first)) witnesses.push(first);
    }
  }
  const merged: ShardPartial = { counters, witnesses, series: mergeSeries(partials.map((p) => p.series ?? [])) };
  const warmup = mergeWarmup(partials);
  if (warmup) merged.warmup = warmup;
  return merged;
}

/** Sums shards' series records window by window (every shard samples the same windows). */
function mergeSeries(all: number[][]): number[] {
  const byWindow = new Map<number, number[]>();
  for (const series of all) {
    for (let o = 0; o + SERIES_WIDTH <= series.length; o += SERIES_WIDTH) {
      const w = series[o];
      const acc = byWindow.get(w) ?? new Array<number>(SERIES_WIDTH - 1).fill(0);
      for (let i = 1; i < SERIES_WIDTH; i++) acc[i - 1] += series[o + i];
      byWindow.set(w, acc);
    }
  }
  return [...byWindow.keys()].sort((a, b) => a - b).flatMap((w) => [w, ...byWindow.get(w)!]);
}

/**
 * The report's time series: cumulative counters at sampled windows, at most
 * {@link SERIES_POINTS_MAX} of them and the last. The kernel samples every
 * `seriesEveryWindowsOf` windows, sized on the nominal run; time is cost, so
 * a run may last hundreds of times its nominal length, and the report keeps
 * every `stride`-th record (the digest does not cover the series).
 */
function seriesOf(cfg: SimConfig, merged: ShardPartial, windowNs: number): RunSeries {
  const points: RunSeriesPoint[] = [];
  const s = merged.series;
  const records = Math.floor(s.length / SERIES_WIDTH);
  const stride = Math.max(1, Math.ceil(records / SERIES_POINTS_MAX));
  for (let r = 0; r < records; r++) {
    if (r % stride !== 0 && r !== records - 1) continue;
    const o = r * SERIES_WIDTH;
    const window = s[o];
    points.push({ window, timeNs: window * windowNs, ...seriesFieldsAt(s, o) });
  }
  return { windowNs, everyWindows: seriesEveryWindowsOf(cfg) * stride, points };
}

/**
 * The digest: sha256 over the canonical JSON of the counters (violations and
 * exposures per class among them), the window count and the witnesses'
 * structured fields (class, ids, pages, times of each event; never their
 * rendered text, see witness.renderer.ts).
 */
export function digestOf(merged: ShardPartial, windows: number): string {
  const counters: Record<string, number> = {};
  COUNTER_NAMES.forEach((name, i) => {
    if (!PLACEMENT_COUNTERS.has(name)) counters[name] = merged.counters[i];
  });
  return sha256Canonical({ counters, windows, witnesses: merged.witnesses });
}

/** A kernel witness with its rendered lines, as a report carries it. */
function withLines(w: WitnessRecord): Witness {
  return { ...w, lines: witnessLines(w) };
}

/** Builds the public report of a finished run. */
export function buildReport(
  cfg: SimConfig,
  merged: ShardPartial,
  windows: number,
  windowNs: number,
  shards: number,
): RunReport {
  const c = merged.counters;
  // Cost figures leave the warm-up out; counters, violations and the digest cover the whole run.
  const cost = costWindowOf(cfg, merged, windows, windowNs);
  const costAccesses = cost.counters[C.accesses];
  const byOp = cyclesByOp(cfg, cost.counters);
  const total = Object.values(byOp).reduce((a, b) => a + b, 0);
  const byClass = {
    'cross-vm': c[C.violationsCrossVm],
    'use-after-free': c[C.violationsUseAfterFree],
    'stale-mapping': c[C.violationsStaleMapping],
    'stale-root': c[C.violationsStaleRoot],
  };
  const exposures = {
    'cross-vm': c[C.exposuresCrossVm],
    'use-after-free': c[C.exposuresUseAfterFree],
    'stale-mapping': c[C.exposuresStaleMapping],
    'stale-root': c[C.exposuresStaleRoot],
  };
  const f = cfg.fleet;
  const simulatedNs = windows * windowNs;
  const simulatedNsMax = endNsOf(cfg);
  return {
    scenario: cfg.name,
    seed: cfg.seed,
    policy: cfg.kvm.policy,
    platform: { vendor: cfg.platform.vendor, l0: cfg.platform.l0, enlightenedTlb: cfg.platform.enlightenedTlb },
    fleet: { hosts: f.hosts, vmsPerHost: f.vmsPerHost, vcpusPerVm: f.vcpusPerVm, vcpus: vcpusOf(cfg) },
    shards,
    digest: digestOf(merged, windows),
    violations: {
      total: Object.values(byClass).reduce((a, b) => a + b, 0),
      byClass,
      exposures,
      witnesses: merged.witnesses.map(withLines),
    },
    metrics: {
      accesses: c[C.accesses],
      tlb: { hits: c[C.tlbHits], misses: c[C.tlbMisses], nestedHits: c[C.nestedHits] },
      nestedWalks: c[C.nestedWalks],
      staleHits: c[C.staleHits],
      hypercalls: {
        flushGuestPhysicalAddressSpace: c[C.hvFlushSpace],
        flushGuestPhysicalAddressList: c[C.hvFlushList],
        listFallbacks: c[C.hvListFallbacks],
      },
      shootdownMessages: c[C.shootdownMessages],
      flushes: {
        asid: c[C.flushAsid],
        asidEnlightened: c[C.flushAsidEnlightened],
        inveptSingle: c[C.inveptSingle],
        inveptGlobal: c[C.inveptGlobal],
        full: c[C.flushFull],
        guest: c[C.flushGuest],
      },
      roots: {
        allocated: c[C.rootsAllocated],
        freed: c[C.rootsFreed],
        pageReused: c[C.rootPageReused],
        reusedByOtherVm: c[C.rootReusedByOtherVm],
      },
      events: {
        memslotUpdates: c[C.memslotUpdates],
        mmuNotifierInvalidations: c[C.mmuNotifierInvalidations],
        nestedTransitions: c[C.nestedTransitions],
        cr4Writes: c[C.cr4Writes],
        cr3Switches: c[C.cr3Switches],
        invlpg: c[C.invlpg],
        memslotDeletes: c[C.memslotDeletes],
        smis: c[C.smis],
        l3Entries: c[C.l3Entries],
        vcpuMigrations: c[C.vcpuMigrations],
        cr0WpToggles: c[C.cr0WpToggles],
        smmAccesses: c[C.smmAccesses],
      },
      nestedCache: { fills: c[C.nestedCacheFills] },
      messages: { sent: c[C.messagesSent], crossShard: c[C.crossShardMessages] },
      cycles: { total, perAccess: costAccesses > 0 ? total / costAccesses : 0, byOp },
      windows,
      simulatedNs,
      stallLimit: { hit: cfg.run.simulatedMs === 0 && simulatedNs >= simulatedNsMax, simulatedNsMax },
      guestAccesses: c[C.guestAccesses],
      ...realUnitsOf(cfg, cost.counters, cost.simulatedNs),
      measured: cost.measured,
    },
    coverage: coverageOf(cfg, c),
    series: seriesOf(cfg, merged, windowNs),
  };
}
