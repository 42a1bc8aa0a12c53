import { C } from './counters';
import { META_REPORTED_MAP, META_REPORTED_ROOT, Tlb } from './tlb';
import { seqReached, VmView } from './vm-view';

/** Report flag bits (Report p0); the flush kind of the last load sits above them. */
export const REPORT_NESTED = 1;
export const REPORT_CAUSE_ROOT = 2;
export const REPORT_CAUSE_MAP = 4;

/** Payload of a Report message: flags, gpa, hpa, entry incarnation, fill time, current incarnation, gva. */
export type StaleHitReport = [number, number, number, number, number, number, number];

/**
 * The checker's vCPU half, called for a hit on slot `i` whose root
 * incarnation or mapping looks wrong. The hit is stale if the entry came
 * from another root incarnation (same nCR3, reused page), or if the mapping
 * changed and the flush KVM owed for that change has completed
 * (`flushedSeq`). Each cause is reported once per entry; kvm classifies the
 * report against the host's page ownership (violation.checker.ts).
 *
 * @returns the Report payload to send, or null (legal in-flight hit, or already reported)
 */
export function checkStaleHit(tlb: Tlb, view: VmView, i: number, rootInc: number, flushedSeq: number, gva: number,
  lastFlushKind: number, counters: Float64Array): StaleHitReport | null {
  const g = tlb.gpa(i);
  const causeRoot = tlb.inc(i) !== rootInc;
  const causeMap = view.map[g] !== tlb.hpa(i) && seqReached(view.seq[g], flushedSeq);
  if (!causeRoot && !causeMap) return null; // the owed flush is still in flight: a legal hit
  counters[C.staleHits]++;
  const bits = (causeRoot ? META_REPORTED_ROOT : 0) | (causeMap ? META_REPORTED_MAP : 0);
  if ((tlb.meta[i] & bits) === bits) return null;
  tlb.meta[i] |= bits;
  const flags = (gva < 0 ? REPORT_NESTED : 0) | (causeRoot ? REPORT_CAUSE_ROOT : 0)
    | (causeMap ? REPORT_CAUSE_MAP : 0) | (lastFlushKind << 4);
  return [flags, g, tlb.hpa(i), tlb.inc(i), tlb.fillUs[i], rootInc, gva];
}
