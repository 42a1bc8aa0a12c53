import { assert, kernelChecks } from './assert';
import { C } from './counters';
import { K_HPA, K_INC, K_TAG1, KEY_STRIDE, type PartitionCache } from './partition-cache';
import type { ReportedKeys } from './reported-keys';
import { META_REPORTED_MAP, META_REPORTED_ROOT, Tlb } from './tlb';
import { seqReached, VmView } from './vm-view';

/**
 * Report flag bits (Report p0): bits 0-3 below, the flush kind of the last
 * `flush_tlb_current` in bits 4-7, and for a shared entry the host-local
 * vCPU that filled it, plus one, from bit 8 up.
 */
export const REPORT_NESTED = 1;
export const REPORT_CAUSE_ROOT = 2;
export const REPORT_CAUSE_MAP = 4;
/** The entry is one of the partition's shared nested translations. */
export const REPORT_SHARED = 8;
/** Multiplier of the filler field of the flags. */
export const REPORT_FILLER_UNIT = 256;

/** The most shared entries a vCPU remembers as reported; beyond it the set starts over (deterministically). */
export const SHARED_REPORTED_MAX = 65536;

/**
 * The most bytes a vCPU's memory of reported shared entries may take (one
 * byte per region page per stale incarnation, see reported-keys.ts): an
 * incarnation that would go past it makes the set start over, as
 * {@link SHARED_REPORTED_MAX} does. 1 MiB, what the keys limit allowed
 * before; a 1,024-page region reaches it after 819 stale incarnations.
 */
export const SHARED_REPORTED_BYTES_MAX = 1 << 20;

/**
 * Why a hit on an entry (filled under root incarnation `entryInc`, pointing
 * at `entryHpa`) is stale for a vCPU on incarnation `rootInc` that has seen
 * the VM's flushes up to `flushedSeq`: {@link META_REPORTED_ROOT} when the
 * entry came from another root incarnation (same nCR3, reused page),
 * {@link META_REPORTED_MAP} when GPA `g`'s mapping changed and the flush KVM
 * owed for it has completed. 0: clean, or a legal hit while the owed flush
 * is in flight. The one decision of the access loop, the SMM handler and the
 * checker; the map's seq is read only when the mapping differs.
 */
export function staleCauses(
  entryInc: number,
  entryHpa: number,
  rootInc: number,
  map: Int32Array,
  seqs: Uint16Array,
  g: number,
  flushedSeq: number,
): number {
  return (
    (entryInc !== rootInc ? META_REPORTED_ROOT : 0) |
    (map[g] !== entryHpa && seqReached(seqs[g], flushedSeq) ? META_REPORTED_MAP : 0)
  );
}

/** Payload of a Report message: flags, gpa, hpa, entry incarnation, fill time, current incarnation, gva. */
export type StaleHitReport = [number, number, number, number, number, number, number];

/** {@link staleCauses} bits as the Report flags' cause bits. */
function reportCauses(causes: number): number {
  return (causes & META_REPORTED_ROOT ? REPORT_CAUSE_ROOT : 0) | (causes & META_REPORTED_MAP ? REPORT_CAUSE_MAP : 0);
}

/**
 * The checker's vCPU half, called for a hit on slot `i` (GPA page `g`) whose root
 * incarnation or mapping looks wrong. The hit is stale if the entry came
 * from another root incarnation (same nCR3, reused page), or if the mapping
 * changed and the flush KVM owed for that change has completed
 * (`flushedSeq`). Each cause is reported once per entry; kvm classifies the
 * report against the host's page ownership (violation.checker.ts).
 *
 * @returns the Report payload to send, or null (legal in-flight hit, or already reported)
 */
export function checkStaleHit(
  tlb: Tlb,
  view: VmView,
  i: number,
  g: number,
  rootInc: number,
  flushedSeq: number,
  gva: number,
  lastFlushKind: number,
  counters: Float64Array,
): StaleHitReport | null {
  if (kernelChecks.enabled) assert(g === tlb.gpa(i), "the GPA of a hit is the accessing vCPU's own");
  const bits = staleCauses(tlb.inc(i), tlb.hpa(i), rootInc, view.map, view.seq, g, flushedSeq);
  if (bits === 0) return null; // the owed flush is still in flight: a legal hit
  counters[C.staleHits]++;
  if ((tlb.reportedBits(i) & bits) === bits) return null;
  tlb.markReported(i, bits);
  const flags = (gva < 0 ? REPORT_NESTED : 0) | reportCauses(bits) | (lastFlushKind << 4);
  return [flags, g, tlb.hpa(i), tlb.inc(i), tlb.fillUs(i), rootInc, gva];
}

/**
 * The same check for a hit in the partition's shared nested translations.
 * The replica must not change on a read (other vCPUs of the shard read it
 * too), so "already reported" is kept per vCPU in `reported`, keyed by the
 * entry's root incarnation, GPA and cause.
 */
export function checkSharedHit(
  part: PartitionCache,
  view: VmView,
  j: number,
  rootInc: number,
  flushedSeq: number,
  lastFlushKind: number,
  reported: ReportedKeys,
  counters: Float64Array,
): StaleHitReport | null {
  // The entry's GPA, HPA and incarnation from the lookup copy (the line the lookup just read).
  const k = j * KEY_STRIDE;
  const g = part.keys[k + K_TAG1];
  const hpa = part.keys[k + K_HPA];
  const inc = part.keys[k + K_INC];
  const causes = staleCauses(inc, hpa, rootInc, view.map, view.seq, g, flushedSeq);
  if (causes === 0) return null;
  counters[C.staleHits]++;
  const bits = reportCauses(causes);
  if (reported.has(inc, g, bits)) return null;
  const full =
    reported.size >= SHARED_REPORTED_MAX ||
    (!reported.knows(inc) && reported.bytes + reported.bytesPerIncarnation > SHARED_REPORTED_BYTES_MAX);
  if (full) reported.clear();
  reported.add(inc, g, bits);
  const low = REPORT_NESTED | REPORT_SHARED | bits | (lastFlushKind << 4);
  const flags = low + (part.filler[j] + 1) * REPORT_FILLER_UNIT;
  return [flags, g, hpa, inc, part.tlb.fillUs(j), rootInc, -1];
}
