import type { RateFigure, RunReport } from '@tlbsim/engine';
import { alignPairs, fmtFixed, fmtInt } from './format.util';

/**
 * `1,234/s (configured 1,200)`; with time compressed xN, the rate the
 * scenario file gives and the one the run used: `(configured 100 x20 = 2,000)`.
 */
function rate(f: RateFigure, compression: number): string {
  const achieved = `${fmtInt(Math.round(f.achieved))}/s`;
  if (f.configured === undefined) return achieved;
  const used = fmtInt(Math.round(f.configured));
  if (compression <= 1 || f.configured === 0) return `${achieved} (configured ${used})`;
  return `${achieved} (configured ${fmtInt(Math.round(f.configured / compression))} x${compression} = ${used})`;
}

/**
 * The report's real units: where the vCPUs' time went, L0's load, and the
 * per-second rates (labelled when the run compressed time).
 */
export function realUnitsLines(r: RunReport): string[] {
  const m = r.metrics;
  const p = m.time.percent;
  const rt = m.rates;
  const x = rt.compressed ? rt.timeCompression : 1;
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
      ['hypercalls / host', rate(rt.hypercallsPerHostPerSec, x)],
      ['shootdown IPIs / host', rate(rt.shootdownIpisPerHostPerSec, x)],
      ['root loads / vCPU', rate(rt.rootLoadsPerVcpuPerSec, x)],
      ['nested transitions / vCPU', rate(rt.nestedTransitionsPerVcpuPerSec, x)],
      ['memslot updates / host', rate(rt.memslotUpdatesPerHostPerSec, x)],
      ['MMU-notifier invalidations / host', rate(rt.mmuNotifierInvalidationsPerHostPerSec, x)],
      ['deferred events', `${fmtInt(rt.deferredEvents)} (mean delay ${fmtInt(Math.round(rt.deferredMeanNs))} ns)`],
    ]),
  ];
}
