import type { RateFigure, RunReport } from '@tlbsim/engine';
import { alignPairs, fmtFixed, fmtInt } from './format.util';

/** `1,234/s (configured 1,200)`. */
function rate(f: RateFigure): string {
  const achieved = `${fmtInt(Math.round(f.achieved))}/s`;
  return f.configured === undefined ? achieved : `${achieved} (configured ${fmtInt(Math.round(f.configured))})`;
}

/**
 * The report's real units: where the vCPUs' time went, L0's load, and the
 * per-second rates (labelled when the run compressed time).
 */
export function realUnitsLines(r: RunReport): string[] {
  const m = r.metrics;
  const p = m.time.percent;
  const rt = m.rates;
  const label = rt.compressed ? ` (compressed: events ran ${rt.timeCompression}x faster than configured)` : '';
  return [
    '',
    'Time (share of vCPU time)',
    ...alignPairs([
      ['vCPU time', `${fmtFixed(m.time.perVcpuMs)} ms per vCPU`],
      ['guest accesses', `${fmtFixed(p.guestAccesses)}%`],
      ['page walks', `${fmtFixed(p.walks)}%`],
      ['exits', `${fmtFixed(p.exits)}%`],
      ['hypercall stalls', `${fmtFixed(p.hypercallStalls)}%`],
      ['root waits', `${fmtFixed(p.rootWaits)}%`],
      ['L0 interrupts', `${fmtFixed(p.l0Interrupts)}%`],
      ['descheduled', `${fmtFixed(p.descheduled)}%`],
      ['L0 busy', `${fmtFixed(m.l0.busyPercent)}% (mean queue ${fmtInt(Math.round(m.l0.queueMeanNs))} ns)`],
    ]),
    '',
    `Rates per simulated second${label}`,
    ...alignPairs([
      ['hypercalls / host', rate(rt.hypercallsPerHostPerSec)],
      ['shootdown IPIs / host', rate(rt.shootdownIpisPerHostPerSec)],
      ['root loads / vCPU', rate(rt.rootLoadsPerVcpuPerSec)],
      ['nested transitions / vCPU', rate(rt.nestedTransitionsPerVcpuPerSec)],
      ['memslot updates / host', rate(rt.memslotUpdatesPerHostPerSec)],
      ['MMU-notifier invalidations / host', rate(rt.mmuNotifierInvalidationsPerHostPerSec)],
      ['deferred events', `${fmtInt(rt.deferredEvents)} (mean delay ${fmtInt(Math.round(rt.deferredMeanNs))} ns)`],
    ]),
  ];
}
