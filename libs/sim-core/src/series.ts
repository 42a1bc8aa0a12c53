import { SimConfig } from './config';
import { assert } from './assert';
import { C, COUNTER_SLOTS } from './counters';

/** At most about this many points in a run's time series. */
export const SERIES_POINTS_MAX = 200;

/** Counters sampled into the time series (see `ShardPartial.series`), in order. */
export const SERIES_COUNTERS = [
  C.accesses,
  C.tlbHits,
  C.tlbMisses,
  C.nestedWalks,
  C.hvFlushSpace,
  C.hvFlushList,
  C.shootdownMessages,
  C.violationsCrossVm,
  C.violationsUseAfterFree,
  C.violationsStaleMapping,
  C.violationsStaleRoot,
] as const;

// The series fields (engine's series.fields.ts) name these by position: distinct, valid slots.
assert(
  new Set(SERIES_COUNTERS).size === SERIES_COUNTERS.length && SERIES_COUNTERS.every((c) => c >= 0 && c < COUNTER_SLOTS),
  'series counters are distinct counter slots',
);

/** Numbers per series record: the window, then {@link SERIES_COUNTERS}. */
export const SERIES_WIDTH = 1 + SERIES_COUNTERS.length;

/**
 * The nominal length of a run in simulated ns, the one formula of it (series
 * points, the in-process and distributed window estimates, the window bound):
 * every vCPU's accesses at the fastest (every access a hit:
 * `accessesPerVcpu x accessIntervalNs x accessSampling`), times `stretch`
 * (how much slower than that a run may be), or `run.simulatedMs` if that
 * ends it sooner. @defaultValue stretch 1
 */
export function nominalRunNsOf(cfg: SimConfig, stretch = 1): number {
  const w = cfg.workload;
  const accessesNs = w.accessesPerVcpu * w.accessIntervalNs * w.accessSampling * stretch;
  return cfg.run.simulatedMs > 0 ? Math.min(accessesNs, cfg.run.simulatedMs * 1e6) : accessesNs;
}

/** Windows between two series points: the nominal run split into {@link SERIES_POINTS_MAX}. */
export function seriesEveryWindowsOf(cfg: SimConfig): number {
  const nominal = Math.ceil(nominalRunNsOf(cfg) / windowNsOf(cfg));
  return Math.max(1, Math.ceil(nominal / SERIES_POINTS_MAX));
}

/** The window length of a scenario: `run.windowNs`, or the smallest latency. */
export function windowNsOf(cfg: SimConfig): number {
  const l = cfg.latency;
  const lookahead = Math.min(l.ipiNs, l.hypercallNs, l.kvmRequestNs);
  const w = cfg.run.windowNs > 0 ? cfg.run.windowNs : lookahead;
  if (w > lookahead) throw new Error(`run.windowNs ${w} exceeds the lookahead ${lookahead}`);
  return w;
}
