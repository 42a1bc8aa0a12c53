import { assert } from './assert';
import { staleCauses } from './stale-hit.checker';
import { combinedTag, S_TAG1, SLOT_STRIDE, Tlb } from './tlb';
import type { VcpuActor } from './vcpu.actor';
import type { VcpuState } from './vcpu.state';
import type { VmView } from './vm-view';

/**
 * Switches of the access loop for tests. `certifiedHints: false` sends every
 * hit through its slot (no certified way hints); a differential test runs
 * both and compares the results (test/kernel/certified-hints.test.ts).
 * `certifiedHitsChecked` counts the certified hits the kernel checks
 * verified (only with kernel checks on), so that test can tell the fast
 * path ran.
 */
export const accessLoopSwitches = {
  /** @defaultValue true */
  certifiedHints: true,
  /** @defaultValue 0 */
  certifiedHitsChecked: 0,
};

/** Most entries of a vCPU's way hints (a byte each: 1 KiB, within the memory budget per vCPU). */
const WAY_HINTS_MAX = 1024;
/** The way of a way hint (`tlb.ways` is at most 64). */
export const HINT_WAY = 0x3f;
/** Hint bit: certified, the way holds this page's entry and a hit on it needs no check. */
export const HINT_CLEAN = 0x40;
/** Hint bit: certified, the way holds this page's entry, stale with every cause reported (a known stale hit). */
export const HINT_KNOWN = 0x80;

/** Entries of the way hints: the working set rounded up to a power of two, at most {@link WAY_HINTS_MAX}. */
function wayHintLength(workingSetPages: number): number {
  let n = 1;
  while (n < workingSetPages && n < WAY_HINTS_MAX) n *= 2;
  return n;
}

/**
 * A vCPU's way hints. Per working-set page (modulo the length, a power of
 * two): the way of its set it last hit or was filled in, checked like any
 * slot. When the working set fits (no two pages share a hint) a hint may
 * also be certified ({@link HINT_CLEAN}, {@link HINT_KNOWN}): the access
 * loop checked that slot and nothing it depends on changed since
 * ({@link recertify}), so a hit on it is taken without reading the slot,
 * which keeps a hit within the hints and the LRU stamps (a fleet's TLBs
 * overflow the caches and the host TLB; see BENCHMARKS.md). Neither kind
 * changes a result, and neither is part of the state: a restored vCPU starts
 * with no certified hint.
 */
export class WayHints {
  /** The hints, a byte per page: way, plus a certificate bit. */
  readonly hint: Uint8Array;
  /** Certified hints are possible: every working-set page has its own hint. */
  readonly certifiable: boolean;
  /*
   * What certified hints depend on, as of the end of the vCPU's last batch:
   * context tag, root, root incarnation, process, completed flush seq, the
   * TLB's and the VM view's change counts. Any difference drops every
   * certificate ({@link recertify}).
   */
  private tag = -1;
  private root = -1;
  private inc = -1;
  private process = -1;
  private flushedSeq = -1;
  private tlbWrites = -1;
  private viewChanges = -1;

  constructor(workingSetPages: number) {
    this.hint = new Uint8Array(wayHintLength(workingSetPages));
    this.certifiable = accessLoopSwitches.certifiedHints && workingSetPages <= this.hint.length;
  }

  /** Drops every certificate if anything one relied on changed since the last batch; `tag` is the batch's combined tag. */
  recertify(tag: number, st: VcpuState, tlb: Tlb, view: VmView): void {
    if (
      tag === this.tag &&
      st.rootPage === this.root &&
      st.rootInc === this.inc &&
      st.process === this.process &&
      st.flushedSeq === this.flushedSeq &&
      tlb.writes === this.tlbWrites &&
      view.changes === this.viewChanges
    )
      return;
    const hint = this.hint;
    for (let k = 0; k < hint.length; k++) hint[k] &= HINT_WAY;
    this.tag = tag;
    this.root = st.rootPage;
    this.inc = st.rootInc;
    this.process = st.process;
    this.flushedSeq = st.flushedSeq;
    this.tlbWrites = tlb.writes;
    this.viewChanges = view.changes;
  }

  /** After a batch: every change it made to the TLB went through {@link evict}, so its certificates stand. */
  settle(tlb: Tlb): void {
    this.tlbWrites = tlb.writes;
  }

  /**
   * Before slot `i` is refilled: the certified hint of the entry it holds,
   * if any, goes. Only a page of the vCPU's current process can have one
   * (a certificate checked the slot's tags), at hint `tag1 - gvaBase`.
   */
  evict(tlb: Tlb, i: number, gvaBase: number): void {
    const x = tlb.slots[i * SLOT_STRIDE + S_TAG1] - gvaBase;
    if (x >= 0 && x < this.hint.length) this.hint[x] &= HINT_WAY;
  }
}

/** Debug mode: a certified hint's slot holds its page, and the checker's decision is still the certified one. */
export function checkCertified(v: VcpuActor, i: number, gva: number, gpa: number, hint: number): void {
  const st = v.s;
  const tlb = v.tlb;
  const ctag = combinedTag(st.inL3 ? v.asid02 : v.asid, st.pcid);
  const eptp = v.c.flags.intel ? st.rootPage : -1;
  const holds = tlb.tag1(i) === gva && tlb.tag0(i) === ctag && (eptp < 0 || tlb.rootOf(i) === eptp);
  assert(holds, 'a certified way hint points at its page');
  const bits = staleCauses(tlb.inc(i), tlb.hpa(i), st.rootInc, v.view.map, v.view.seq, gpa, st.flushedSeq);
  const known = bits !== 0 && (tlb.reportedBits(i) & bits) === bits;
  assert(hint >= HINT_KNOWN ? known : bits === 0, 'a certified way hint keeps its decision');
  accessLoopSwitches.certifiedHitsChecked++;
}
