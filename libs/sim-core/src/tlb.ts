/**
 * A per-vCPU set-associative TLB with LRU replacement, holding two kinds of
 * entries in the same sets (as a unified second-level TLB does):
 *
 * - combined entries: GVA page -> HPA, tagged by ASID/VPID and PCID. Each one
 *   also remembers the nCR3/EPTP it was derived under, which Intel lookups
 *   match on (SDM 28.3 "combined mappings") and GPA-space flushes select by.
 * - nested entries: GPA page -> HPA, tagged by nCR3 (AMD) or EPTP (Intel).
 *
 * Every entry also carries hidden provenance that lookups never match on: the
 * root incarnation it was filled under and its fill time. Only the checker
 * reads them. Typed arrays keep the hot path free of allocation and the
 * footprint at 28 bytes per entry (24 in the slot, 4 of LRU stamp).
 *
 * The exact scope of every flush is tabulated in docs/flush-semantics.md.
 */

import { savedArray, SaveOptions } from './save-options';
import { assert, kernelChecks } from './assert';
import { SET_TAG0_MUL, setOf } from './tlb-set.hash';

/** tag0 of an empty slot. */
export const TAG_INVALID = -1;
/** Bit set in tag0 of combined entries; nested tag0 is a page number below it. */
export const TAG_COMBINED = 0x40000000;
/** Largest ASID/VPID a tag can carry. */
export const ASID_MAX = 0x3ffff;
/** Largest PCID (12 bits, as in CR3). */
export const PCID_MAX = 0xfff;

/** Builds the tag0 of a combined entry (out-of-range ids would alias another context's entries). */
export function combinedTag(asid: number, pcid: number): number {
  assert(asid >= 0 && asid <= ASID_MAX && asid === (asid | 0), 'an ASID/VPID fits its 18 tag bits');
  assert(pcid >= 0 && pcid <= PCID_MAX && pcid === (pcid | 0), 'a PCID fits its 12 tag bits');
  return TAG_COMBINED | (asid << 12) | pcid;
}

/** Reported-bit: this entry was reported as a stale-root use. */
export const META_REPORTED_ROOT = 1;
/** Reported-bit: this entry was reported as a stale-mapping use. */
export const META_REPORTED_MAP = 2;
/**
 * The root word of a slot ({@link S_ROOT}) also holds the reported bits,
 * above the root page (which never exceeds {@link ROOT_MASK}): a byte per
 * entry saved, which keeps a vCPU within its memory budget. They sit in the
 * slot, which the checker reads anyway, and not beside the LRU stamp, so a
 * hit's stamp is a plain store that does not wait for the stamp's line.
 */
export const META_SHIFT = 30;
/** The root page's bits of the root word ({@link S_ROOT}). */
export const ROOT_MASK = (1 << META_SHIFT) - 1;

/** Words per slot of {@link Tlb.slots}: tag0, tag1, hpa, inc, root, fill time. */
export const SLOT_STRIDE = 6;
/** tag0: kind and context ({@link TAG_COMBINED}), or nCR3/EPTP of a nested entry. */
export const S_TAG0 = 0;
/** tag1: GVA page (combined) or GPA page (nested). */
export const S_TAG1 = 1;
/** HPA page. */
export const S_HPA = 2;
/** Root incarnation the entry was filled under (hidden provenance). */
export const S_INC = 3;
/** The nCR3/EPTP the entry was derived under (low bits, {@link ROOT_MASK}) and the checker's reported bits ({@link META_SHIFT}). */
export const S_ROOT = 4;
/** Hidden provenance: fill time in microseconds. */
export const S_FILL_US = 5;

/** See {@link Tlb.setShift}. */
export function setShiftOf(sets: number): number {
  const log = Math.log2(sets);
  return sets > 1 && Number.isInteger(log) ? 32 - log : -1;
}

/** The LRU clock is renumbered before it leaves the int32 range. */
const CLOCK_MAX = 0x3fffffff;

/**
 * A set-associative TLB; see the module comment. Storage is laid out for
 * the cache and the page walks of the machine running the simulation (a
 * fleet's TLBs do not fit in its cache or its TLB, so the lines and pages
 * touched per access set the speed): what a lookup or a fill reads sits in
 * one 24-byte slot ({@link slots}: tag0, tag1, hpa, inc, root with the
 * checker bits, fill time); the LRU stamps sit apart in {@link stamps}, 4
 * bytes per entry, so a hit the access loop already knows (vcpu.actor.ts,
 * the certified way hints) writes at most one word of a 6 KiB array, a
 * store nothing waits for, instead of reading a slot of a 36 KiB one. A
 * combined entry's GPA is not stored: the guest page tables are a fixed
 * function of the GVA (`gpaOfGva`), which keeps the TLB at 28 bytes per
 * entry.
 */
export class Tlb {
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  /** `sets / 2^32`, for range reduction of 32-bit hashes. */
  readonly setsScale: number;
  /**
   * `32 - log2(sets)` when sets is a power of two (above 1), else -1: then
   * the range reduction is a shift, exactly equal to the multiply and
   * shorter on the access loop's critical path.
   */
  readonly setShift: number;
  /** {@link SLOT_STRIDE} words per slot: `S_TAG0`, `S_TAG1`, `S_HPA`, `S_INC`, `S_ROOT`, `S_FILL_US`. */
  readonly slots: Int32Array;
  /** Per slot: the LRU stamp (a value of {@link clock}; larger is more recent). */
  readonly stamps: Int32Array;
  /**
   * Per set: the way stamped last, its most recently used entry. A hit on
   * it need not be stamped again (only the order within a set decides a
   * victim), which spares the access loop most writes of {@link stamps}.
   */
  readonly mru: Uint8Array;
  /** LRU clock. */
  clock = 0;
  /**
   * Counts the changes of slot contents made through this class (fills,
   * invalidations, restores; not LRU or checker bits), so a reader that
   * remembers what a slot held can tell that nothing changed since.
   */
  writes = 0;

  /**
   * @param gpaOfGva the guest's GVA page -> GPA page function (given the
   * entry's tag0, whose ASID/VPID tells whose page tables), used to find the
   * GPA behind a combined entry. @defaultValue identity
   */
  constructor(
    entries: number,
    ways: number,
    private readonly gpaOfGva: (gva: number, tag0: number) => number = (g) => g,
  ) {
    if (!(ways >= 1 && entries >= ways && entries % ways === 0)) {
      throw new Error(`tlb: entries ${entries} must be a positive multiple of ways ${ways}`);
    }
    this.entries = entries;
    this.ways = ways;
    this.sets = entries / ways;
    this.setsScale = this.sets / 0x100000000;
    this.setShift = setShiftOf(this.sets);
    // One buffer for the three arrays: one allocation per TLB, the stamps and MRU ways side by side.
    const slotBytes = entries * SLOT_STRIDE * 4;
    const buf = new ArrayBuffer(slotBytes + entries * 4 + this.sets);
    this.slots = new Int32Array(buf, 0, entries * SLOT_STRIDE);
    this.stamps = new Int32Array(buf, slotBytes, entries);
    this.mru = new Uint8Array(buf, slotBytes + entries * 4, this.sets);
    for (let i = 0; i < entries; i++) this.slots[i * SLOT_STRIDE + S_TAG0] = TAG_INVALID;
  }

  /** tag0 of slot i. */
  tag0(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_TAG0];
  }
  /** tag1 of slot i. */
  tag1(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_TAG1];
  }
  /** HPA of slot i. */
  hpa(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_HPA];
  }
  /** GPA page behind slot i (derived for combined entries). */
  gpa(i: number): number {
    const t1 = this.tag1(i);
    const t0 = this.tag0(i);
    return (t0 & TAG_COMBINED) !== 0 ? this.gpaOfGva(t1, t0) : t1;
  }
  /** Root incarnation of slot i. */
  inc(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_INC];
  }
  /** Fill time of slot i in microseconds (hidden provenance). */
  fillUs(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_FILL_US];
  }
  /** LRU stamp of slot i. */
  stamp(i: number): number {
    return this.stamps[i];
  }
  /** Checker bits of slot i ({@link META_REPORTED_ROOT}, {@link META_REPORTED_MAP}). */
  reportedBits(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_ROOT] >>> META_SHIFT;
  }
  /** Sets checker bits of slot i. */
  markReported(i: number, bits: number): void {
    this.slots[i * SLOT_STRIDE + S_ROOT] |= bits << META_SHIFT;
  }
  /** Makes slot i the most recently used. */
  touch(i: number): void {
    this.stamps[i] = this.tick();
    this.mru[(i / this.ways) | 0] = i % this.ways;
  }

  /** True when slot i is its set's most recently used entry ({@link mru} agrees with the stamps). */
  isNewest(i: number): boolean {
    const base = i - (i % this.ways);
    for (let q = base; q < base + this.ways; q++) if (q !== i && this.stamp(q) > this.stamp(i)) return false;
    return this.mru[(i / this.ways) | 0] === i % this.ways;
  }
  /** The nCR3/EPTP slot i was derived under. */
  rootOf(i: number): number {
    return this.slots[i * SLOT_STRIDE + S_ROOT] & ROOT_MASK;
  }

  /** First slot of the set for (tag0, tag1) (tlb-set.hash.ts, the access loop's hash too). */
  setBase(t0: number, t1: number): number {
    return setOf(Math.imul(t0, SET_TAG0_MUL), t1, this.setShift, this.setsScale) * this.ways;
  }

  /** Next LRU stamp; renumbers all stamps (keeping their order) before overflow. */
  tick(): number {
    if (this.clock >= CLOCK_MAX) this.renumber();
    return ++this.clock;
  }

  private renumber(): void {
    const order = Array.from({ length: this.entries }, (_, i) => i).sort((a, b) => this.stamp(a) - this.stamp(b));
    order.forEach((slot, rank) => {
      this.stamps[slot] = rank + 1;
    });
    this.clock = this.entries;
  }

  /**
   * Finds a combined entry; `eptp` is matched too when it is not -1 (Intel
   * combined mappings are tagged by EPTP as well). Returns the slot or -1 and
   * refreshes LRU on a hit.
   */
  lookupCombined(t0: number, gva: number, eptp: number): number {
    const base = this.setBase(t0, gva);
    const sl = this.slots;
    for (let i = base, end = base + this.ways; i < end; i++) {
      const o = i * SLOT_STRIDE;
      if (sl[o + S_TAG1] === gva && sl[o + S_TAG0] === t0 && (eptp < 0 || (sl[o + S_ROOT] & ROOT_MASK) === eptp)) {
        this.touch(i);
        return i;
      }
    }
    return -1;
  }

  /** Finds a nested entry tagged (nCR3/EPTP, GPA); slot or -1. */
  lookupNested(ncr3: number, gpa: number): number {
    const base = this.setBase(ncr3, gpa);
    const sl = this.slots;
    for (let i = base, end = base + this.ways; i < end; i++) {
      const o = i * SLOT_STRIDE;
      if (sl[o + S_TAG1] === gpa && sl[o + S_TAG0] === ncr3) {
        this.touch(i);
        return i;
      }
    }
    return -1;
  }

  /** Inserts an entry (evicting the set's LRU victim); returns its slot. */
  fill(t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): number {
    const victim = this.victim(t0, t1);
    this.fillSlot(victim, t0, t1, hpa, root, inc, fillUs);
    return victim;
  }

  /** The slot {@link fill} would write (t0, t1) to: the set's first empty slot, else its least recently used. */
  victim(t0: number, t1: number): number {
    const base = this.setBase(t0, t1);
    const sl = this.slots;
    let victim = base;
    let oldest = 0x7fffffff;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (sl[i * SLOT_STRIDE + S_TAG0] === TAG_INVALID) {
        victim = i;
        break;
      }
      const st = this.stamps[i];
      if (st < oldest) {
        oldest = st;
        victim = i;
      }
    }
    return victim;
  }

  /** Writes an entry into `slot` (the caller chose it as {@link fill} does), as the newest in LRU order. */
  fillSlot(slot: number, t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): void {
    if (kernelChecks.enabled)
      assert(root >= 0 && root <= ROOT_MASK, 'a root page fits the root word below the checker bits');
    const o = slot * SLOT_STRIDE;
    const sl = this.slots;
    sl[o + S_TAG0] = t0;
    sl[o + S_TAG1] = t1;
    sl[o + S_HPA] = hpa;
    sl[o + S_INC] = inc;
    sl[o + S_ROOT] = root; // no checker bits: a new entry starts unreported
    sl[o + S_FILL_US] = fillUs;
    this.stamps[slot] = this.tick();
    this.mru[(slot / this.ways) | 0] = slot % this.ways;
    this.writes++;
  }

  /** Snapshot of every entry and the LRU clock (copies, unless `opts.alias`: see {@link SaveOptions}). */
  save(opts?: SaveOptions): Record<string, unknown> {
    return {
      slots: savedArray(this.slots, opts),
      stamps: savedArray(this.stamps, opts),
      clock: this.clock,
    };
  }

  /** Restores {@link save} into this TLB (same geometry). */
  load(s: Record<string, unknown>): void {
    this.slots.set(s.slots as Int32Array);
    this.stamps.set(s.stamps as Int32Array);
    this.clock = s.clock as number;
    // Each set's newest stamp marks its most recently used way (stamps of used slots are unique).
    for (let set = 0; set < this.sets; set++) {
      let newest = 0;
      for (let w = 1; w < this.ways; w++)
        if (this.stamp(set * this.ways + w) > this.stamp(set * this.ways + newest)) newest = w;
      this.mru[set] = newest;
    }
    this.writes++;
  }

  /** Number of valid entries (tests and reports). */
  countValid(): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.tag0(i) !== TAG_INVALID) n++;
    return n;
  }

  /** Invalidates every slot for which `pred(slot)` holds; returns how many. */
  private flushWhere(pred: (i: number) => boolean): number {
    let n = 0;
    const sl = this.slots;
    for (let i = 0; i < this.entries; i++) {
      if (sl[i * SLOT_STRIDE + S_TAG0] !== TAG_INVALID && pred(i)) {
        sl[i * SLOT_STRIDE + S_TAG0] = TAG_INVALID;
        n++;
      }
    }
    if (n > 0) this.writes++;
    return n;
  }

  private isCombined(i: number): boolean {
    return (this.tag0(i) & TAG_COMBINED) !== 0;
  }

  private asidOf(i: number): number {
    return (this.tag0(i) >>> 12) & ASID_MAX;
  }

  /** Everything (INVEPT global; ASID flush on bare metal of a one-VM TLB). */
  flushAll(): number {
    return this.flushWhere(() => true);
  }

  /**
   * SVM `TLB_CONTROL` flush of one ASID. With the Hyper-V enlightened TLB only
   * entries derived from first-level translation (combined) go; without it L0
   * drops every translation of this virtual processor's guest, nested ones too.
   */
  flushAsid(asid: number, enlightened: boolean): number {
    if (enlightened) return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === asid);
    return this.flushWhere((i) => !this.isCombined(i) || this.asidOf(i) === asid);
  }

  /** Every nested (guest-physical) entry, whatever its nCR3/EPTP. */
  flushNestedAll(): number {
    return this.flushWhere((i) => !this.isCombined(i));
  }

  /** INVEPT single-context: guest-physical and combined mappings of one EPTP. */
  inveptSingle(eptp: number): number {
    return this.flushWhere((i) => this.rootOf(i) === eptp);
  }

  /** INVEPT all-context: guest-physical and combined mappings of every EPTP. */
  inveptGlobal(): number {
    return this.flushAll();
  }

  /** INVVPID individual-address: combined mappings of (VPID, GVA), any PCID. Never guest-physical. */
  invvpidAddress(vpid: number, gva: number): number {
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === vpid && this.tag1(i) === gva);
  }

  /** INVVPID single-context: combined mappings of one VPID. Never guest-physical. */
  invvpidSingle(vpid: number): number {
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === vpid);
  }

  /** INVVPID all-context: every combined mapping. Never guest-physical. */
  invvpidAll(): number {
    return this.flushWhere((i) => this.isCombined(i));
  }

  /**
   * `HvCallFlushGuestPhysicalAddressSpace(nCR3)` as applied on one virtual
   * processor: nested entries of that address space and combined entries
   * derived from it.
   */
  hvFlushSpace(ncr3: number): number {
    return this.flushWhere((i) => this.rootOf(i) === ncr3);
  }

  /** `HvCallFlushGuestPhysicalAddressList(nCR3, [gpa, gpa+pages))` on one virtual processor. */
  hvFlushRange(ncr3: number, gpaStart: number, pages: number): number {
    const end = gpaStart + pages;
    return this.flushWhere((i) => {
      if (this.rootOf(i) !== ncr3) return false;
      const g = this.gpa(i);
      return g >= gpaStart && g < end;
    });
  }

  /** Guest INVLPG: combined entry of (ASID, current PCID, GVA). */
  guestInvlpg(asid: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tag0(i) === t0 && this.tag1(i) === gva);
  }

  /** Guest INVPCID type 0 (address), 1 (single context), 2/3 (all contexts; no globals are modelled). */
  guestInvpcid(asid: number, type: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    if (type === 0) return this.flushWhere((i) => this.tag0(i) === t0 && this.tag1(i) === gva);
    if (type === 1) return this.flushWhere((i) => this.tag0(i) === t0);
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === asid);
  }

  /** Guest MOV CR3: without the no-flush bit, the new PCID's combined entries go. */
  guestCr3Switch(asid: number, pcid: number, noFlush: boolean): number {
    if (noFlush) return 0;
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tag0(i) === t0);
  }
}
