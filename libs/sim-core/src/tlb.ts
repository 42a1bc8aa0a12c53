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
 * reads them. Structure-of-arrays over typed arrays keeps the hot path free of
 * allocation and the footprint near 29 bytes per entry.
 *
 * The exact scope of every flush is tabulated in docs/flush-semantics.md.
 */

/** tag0 of an empty slot. */
export const TAG_INVALID = -1;
/** Bit set in tag0 of combined entries; nested tag0 is a page number below it. */
export const TAG_COMBINED = 0x40000000;
/** Largest ASID/VPID a tag can carry. */
export const ASID_MAX = 0x3ffff;
/** Largest PCID (12 bits, as in CR3). */
export const PCID_MAX = 0xfff;

/** Builds the tag0 of a combined entry. */
export function combinedTag(asid: number, pcid: number): number {
  return TAG_COMBINED | (asid << 12) | pcid;
}

/** Reported-bit: this entry was reported as a stale-root use. */
export const META_REPORTED_ROOT = 1;
/** Reported-bit: this entry was reported as a stale-mapping use. */
export const META_REPORTED_MAP = 2;

/** A set-associative TLB; see the module comment. */
export class Tlb {
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  /** Kind and context tag (see {@link TAG_COMBINED}). */
  readonly tag0: Int32Array;
  /** GVA page (combined) or GPA page (nested). */
  readonly tag1: Int32Array;
  /** The host page the entry yields. */
  readonly hpa: Int32Array;
  /** The GPA page behind the entry (equals tag1 for nested entries). */
  readonly gpa: Int32Array;
  /** The nCR3/EPTP the entry was derived under. */
  readonly root: Int32Array;
  /** Hidden provenance: root incarnation at fill. */
  readonly inc: Int32Array;
  /** Hidden provenance: fill time in microseconds. */
  readonly fillUs: Int32Array;
  /** Checker bits ({@link META_REPORTED_ROOT}, {@link META_REPORTED_MAP}). */
  readonly meta: Uint8Array;
  /** LRU stamps. */
  readonly stamp: Uint32Array;
  /** LRU clock. */
  clock = 0;

  constructor(entries: number, ways: number) {
    if (!(ways >= 1 && entries >= ways && entries % ways === 0)) {
      throw new Error(`tlb: entries ${entries} must be a positive multiple of ways ${ways}`);
    }
    this.entries = entries;
    this.ways = ways;
    this.sets = entries / ways;
    this.tag0 = new Int32Array(entries).fill(TAG_INVALID);
    this.tag1 = new Int32Array(entries);
    this.hpa = new Int32Array(entries);
    this.gpa = new Int32Array(entries);
    this.root = new Int32Array(entries);
    this.inc = new Int32Array(entries);
    this.fillUs = new Int32Array(entries);
    this.meta = new Uint8Array(entries);
    this.stamp = new Uint32Array(entries);
  }

  /** First slot of the set for (tag0, tag1). */
  setBase(t0: number, t1: number): number {
    const h = (Math.imul(t0, 0x9e3779b1) ^ Math.imul(t1 + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    return (h % this.sets) * this.ways;
  }

  /**
   * Finds a combined entry; `eptp` is matched too when it is not -1 (Intel
   * combined mappings are tagged by EPTP as well). Returns the slot or -1 and
   * refreshes LRU on a hit.
   */
  lookupCombined(t0: number, gva: number, eptp: number): number {
    const base = this.setBase(t0, gva);
    const end = base + this.ways;
    const tag0 = this.tag0;
    const tag1 = this.tag1;
    for (let i = base; i < end; i++) {
      if (tag0[i] === t0 && tag1[i] === gva && (eptp < 0 || this.root[i] === eptp)) {
        this.stamp[i] = ++this.clock;
        return i;
      }
    }
    return -1;
  }

  /** Finds a nested entry tagged (nCR3/EPTP, GPA); slot or -1. */
  lookupNested(ncr3: number, gpa: number): number {
    const base = this.setBase(ncr3, gpa);
    const end = base + this.ways;
    const tag0 = this.tag0;
    const tag1 = this.tag1;
    for (let i = base; i < end; i++) {
      if (tag0[i] === ncr3 && tag1[i] === gpa) {
        this.stamp[i] = ++this.clock;
        return i;
      }
    }
    return -1;
  }

  /** Inserts an entry (evicting the set's LRU victim); returns its slot. */
  fill(t0: number, t1: number, hpa: number, gpa: number, root: number, inc: number, fillUs: number): number {
    const base = this.setBase(t0, t1);
    let victim = base;
    let oldest = 0xffffffff;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (this.tag0[i] === TAG_INVALID) { victim = i; break; }
      if (this.stamp[i] < oldest) { oldest = this.stamp[i]; victim = i; }
    }
    this.tag0[victim] = t0;
    this.tag1[victim] = t1;
    this.hpa[victim] = hpa;
    this.gpa[victim] = gpa;
    this.root[victim] = root;
    this.inc[victim] = inc;
    this.fillUs[victim] = fillUs;
    this.meta[victim] = 0;
    this.stamp[victim] = ++this.clock;
    return victim;
  }

  /** Number of valid entries (tests and reports). */
  countValid(): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.tag0[i] !== TAG_INVALID) n++;
    return n;
  }

  /** Invalidates every slot for which `pred(slot)` holds; returns how many. */
  private flushWhere(pred: (i: number) => boolean): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) {
      if (this.tag0[i] !== TAG_INVALID && pred(i)) { this.tag0[i] = TAG_INVALID; n++; }
    }
    return n;
  }

  private isCombined(i: number): boolean {
    return (this.tag0[i] & TAG_COMBINED) !== 0;
  }

  private asidOf(i: number): number {
    return (this.tag0[i] >>> 12) & ASID_MAX;
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

  /** INVEPT single-context: guest-physical and combined mappings of one EPTP. */
  inveptSingle(eptp: number): number {
    return this.flushWhere((i) => this.root[i] === eptp);
  }

  /** INVEPT all-context: guest-physical and combined mappings of every EPTP. */
  inveptGlobal(): number {
    return this.flushAll();
  }

  /** INVVPID individual-address: combined mappings of (VPID, GVA), any PCID. Never guest-physical. */
  invvpidAddress(vpid: number, gva: number): number {
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === vpid && this.tag1[i] === gva);
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
    return this.flushWhere((i) => this.root[i] === ncr3);
  }

  /** `HvCallFlushGuestPhysicalAddressList(nCR3, [gpa, gpa+pages))` on one virtual processor. */
  hvFlushRange(ncr3: number, gpaStart: number, pages: number): number {
    const end = gpaStart + pages;
    return this.flushWhere((i) => this.root[i] === ncr3 && this.gpa[i] >= gpaStart && this.gpa[i] < end);
  }

  /** Guest INVLPG: combined entry of (ASID, current PCID, GVA). */
  guestInvlpg(asid: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tag0[i] === t0 && this.tag1[i] === gva);
  }

  /** Guest INVPCID type 0 (address), 1 (single context), 2/3 (all contexts; no globals are modelled). */
  guestInvpcid(asid: number, type: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    if (type === 0) return this.flushWhere((i) => this.tag0[i] === t0 && this.tag1[i] === gva);
    if (type === 1) return this.flushWhere((i) => this.tag0[i] === t0);
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === asid);
  }

  /** Guest MOV CR3: without the no-flush bit, the new PCID's combined entries go. */
  guestCr3Switch(asid: number, pcid: number, noFlush: boolean): number {
    if (noFlush) return 0;
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tag0[i] === t0);
  }
}
