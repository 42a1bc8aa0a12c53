import { C, SimConfig } from '@tlbsim/sim-core';

/** A per-second rate: what the scenario asked for (when it sets one) beside what the run achieved. */
export interface RateFigure {
  /** The configured rate as the run used it (times `run.timeCompression`), or absent when nothing configures it. */
  configured?: number;
  /** Events per second of simulated time. */
  achieved: number;
}

/** Per-second figures of a run (per second of simulated time). */
export interface RunRates {
  /** `run.timeCompression`: events ran this many times faster than configured (1: real rates). */
  timeCompression: number;
  /** True when `timeCompression` is not 1: every figure here is of compressed time. */
  compressed: boolean;
  hypercallsPerHostPerSec: RateFigure;
  shootdownIpisPerHostPerSec: RateFigure;
  rootLoadsPerVcpuPerSec: RateFigure;
  nestedTransitionsPerVcpuPerSec: RateFigure;
  memslotUpdatesPerHostPerSec: RateFigure;
  memslotDeletesPerHostPerSec: RateFigure;
  mmuNotifierInvalidationsPerHostPerSec: RateFigure;
  smisPerHostPerSec: RateFigure;
  cr4WritesPerHostPerSec: RateFigure;
  /** Timed events that fell due while their vCPU was stalled or off its VP (they happened later). */
  deferredEvents: number;
  /** Their mean delay, ns. */
  deferredMeanNs: number;
}

/** Where the vCPUs' time went, in percent of the sum of their times (the shares sum to 100). */
export interface RunTime {
  /** Sum over vCPUs of the simulated time each took, ns. */
  vcpuTimeNs: number;
  /** The same per vCPU, mean, ms. */
  perVcpuMs: number;
  percent: {
    guestAccesses: number;
    walks: number;
    exits: number;
    hypercallStalls: number;
    rootWaits: number;
    l0Interrupts: number;
    descheduled: number;
  };
}

/** L0 as a server of flush hypercalls. */
export interface RunL0 {
  /** Share of simulated time L0 spent serving flush hypercalls, mean over hosts. */
  busyPercent: number;
  /** Mean time a hypercall waited for L0 before service, ns. */
  queueMeanNs: number;
}

/** Rates, time shares and L0 load of a run, from its counters. */
export function realUnitsOf(
  cfg: SimConfig,
  c: readonly number[],
  simulatedNs: number,
): { rates: RunRates; time: RunTime; l0: RunL0 } {
  const f = cfg.fleet;
  const vcpus = f.hosts * f.vmsPerHost * f.vcpusPerVm;
  const sec = simulatedNs / 1e9;
  const x = cfg.run.timeCompression;
  const perSec = (n: number, among: number): number => (sec > 0 ? n / among / sec : 0);
  const ev = cfg.events;
  const perVcpu = (perHostSec: number): number => (perHostSec * x * f.hosts) / vcpus;
  const hypercalls = c[C.hvFlushSpace] + c[C.hvFlushList];
  const rates: RunRates = {
    timeCompression: x,
    compressed: x !== 1,
    hypercallsPerHostPerSec: { achieved: perSec(hypercalls, f.hosts) },
    shootdownIpisPerHostPerSec: { achieved: perSec(c[C.shootdownMessages], f.hosts) },
    rootLoadsPerVcpuPerSec: { achieved: perSec(c[C.rootLoads], vcpus) },
    nestedTransitionsPerVcpuPerSec: {
      configured: perVcpu(ev.nestedTransitionsPerSec),
      achieved: perSec(c[C.nestedTransitions], vcpus),
    },
    memslotUpdatesPerHostPerSec: {
      configured: ev.memslotUpdatesPerSec * x,
      achieved: perSec(c[C.memslotUpdates], f.hosts),
    },
    memslotDeletesPerHostPerSec: {
      configured: ev.memslotDeletesPerSec * x,
      achieved: perSec(c[C.memslotDeletes], f.hosts),
    },
    mmuNotifierInvalidationsPerHostPerSec: {
      configured: ev.mmuNotifierInvalidationsPerSec * x,
      achieved: perSec(c[C.mmuNotifierInvalidations], f.hosts),
    },
    smisPerHostPerSec: { configured: ev.smiPerSec * x, achieved: perSec(c[C.smis], f.hosts) },
    cr4WritesPerHostPerSec: { configured: ev.cr4WritesPerSec * x, achieved: perSec(c[C.cr4Writes], f.hosts) },
    deferredEvents: c[C.eventsDeferred],
    deferredMeanNs: c[C.eventsDeferred] > 0 ? c[C.eventsDeferredPs] / 1000 / c[C.eventsDeferred] : 0,
  };
  const total = c[C.vcpuTimePs] / 1000;
  const pct = (p: number): number => (total > 0 ? (100 * p) / 1000 / total : 0);
  const time: RunTime = {
    vcpuTimeNs: total,
    perVcpuMs: vcpus > 0 ? total / vcpus / 1e6 : 0,
    percent: {
      guestAccesses: pct(c[C.timeAccessPs]),
      walks: pct(c[C.timeWalkPs]),
      exits: pct(c[C.timeExitPs]),
      hypercallStalls: pct(c[C.timeHypercallPs]),
      rootWaits: pct(c[C.timeRootWaitPs]),
      l0Interrupts: pct(c[C.timeInterruptPs]),
      descheduled: pct(c[C.timeDescheduledPs]),
    },
  };
  const l0: RunL0 = {
    // Service is counted when a call is queued, so a saturated L0 would exceed 100% by its backlog.
    busyPercent: simulatedNs > 0 ? Math.min(100, (100 * c[C.l0BusyPs]) / 1000 / (simulatedNs * f.hosts)) : 0,
    queueMeanNs: hypercalls > 0 ? c[C.l0QueuePs] / 1000 / hypercalls : 0,
  };
  return { rates, time, l0 };
}
