import { C, ShardPartial, SimConfig, warmupWindowOf } from '@tlbsim/sim-core';

/**
 * The interval a run's cost figures cover (`RunMetrics.measured`): the run
 * after its warm-up (`run.warmupMs`, rounded up to whole windows). Counters,
 * violations and witnesses cover the whole run; cycles, time shares, rates,
 * L0 load and the per-access figures cover this interval (docs/costs.md
 * "Warm-up").
 */
export interface RunMeasured {
  /** `run.warmupMs` as configured. */
  warmupMs: number;
  /** Simulated time the cost figures start at, ns (the warm-up rounded up to a window; 0 without one). */
  fromNs: number;
  /** Simulated time they end at (the end of the run), ns. */
  toNs: number;
  /** False when the run ended before its warm-up did: the figures then cover the whole run. */
  warmupReached: boolean;
  /** Accesses simulated in the interval. */
  accesses: number;
  /** Guest accesses they stand for (`workload.accessSampling` each): the divisor of every per-access cost. */
  guestAccesses: number;
  /**
   * Flush events in the interval: GPA flush hypercalls plus root loads, what
   * the flush policies differ by. A cost figure resting on few of them is
   * not converged (`CONVERGENCE.costEventsMin`, estimate.ts).
   */
  flushEvents: number;
}

/** The counters of the time shares (`RunTime.percent`), charged as the vCPUs' clocks move; they sum to `vcpuTimePs`. */
const TIME_SHARE_SLOTS = [
  C.timeAccessPs,
  C.timeWalkPs,
  C.timeExitPs,
  C.timeHypercallPs,
  C.timeRootWaitPs,
  C.timeInterruptPs,
  C.timeDescheduledPs,
] as const;

/** The counters and simulated time cost figures are computed from, and the interval they cover. */
export interface CostWindow {
  counters: number[];
  simulatedNs: number;
  measured: RunMeasured;
}

/** Sums the shards' warm-up counters; undefined unless every shard took them (the run got past its warm-up). */
export function mergeWarmup(partials: readonly ShardPartial[]): number[] | undefined {
  if (partials.length === 0 || !partials.every((p) => p.warmup)) return undefined;
  const sum = new Array<number>(partials[0].warmup!.length).fill(0);
  for (const p of partials)
    p.warmup!.forEach((v, i) => {
      sum[i] += v;
    });
  return sum;
}

/**
 * The run's counters less those at the end of the warm-up, and the
 * simulated time after it: what cost figures are computed from. Without a
 * warm-up, or one the run never got past, the whole run.
 */
export function costWindowOf(cfg: SimConfig, merged: ShardPartial, windows: number, windowNs: number): CostWindow {
  const c = merged.counters;
  const toNs = windows * windowNs;
  const warmupWindow = warmupWindowOf(cfg);
  const reached = merged.warmup !== undefined && windows > warmupWindow;
  const w = reached ? merged.warmup! : undefined;
  const counters = w ? c.map((v, i) => v - w[i]) : c.slice();
  // A vCPU's whole time is counted when it finishes; after a warm-up it is the sum of the shares charged since.
  if (w) counters[C.vcpuTimePs] = TIME_SHARE_SLOTS.reduce((sum, slot) => sum + counters[slot], 0);
  const fromNs = w ? warmupWindow * windowNs : 0;
  return {
    counters,
    simulatedNs: toNs - fromNs,
    measured: {
      warmupMs: cfg.run.warmupMs ?? 0,
      fromNs,
      toNs,
      warmupReached: warmupWindow === 0 || reached,
      accesses: counters[C.accesses],
      guestAccesses: counters[C.guestAccesses],
      flushEvents: counters[C.hvFlushSpace] + counters[C.hvFlushList] + counters[C.rootLoads],
    },
  };
}
