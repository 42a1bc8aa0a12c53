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

import { assert } from './assert';

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

/** Slot layout of {@link Tlb.tags}: two words per slot. */
export const TAGS_STRIDE = 2;
/** Slot layout of {@link Tlb.hot}: hpa, inc, stamp. */
export const HOT_STRIDE = 3;
export const H_HPA = 0;
export const H_INC = 1;
export const H_STAMP = 2;

/** The LRU clock is renumbered before it leaves the int32 range. */
const CLOCK_MAX = 0x3fffffff;

/**
 * A set-associative TLB; see the module comment. Storage is laid out for
 * the cache of the machine running the simulation: the tags of a set are
 * contiguous ({@link tags}: [tag0, tag1] per slot) and the fields a hit reads
 * are adjacent ({@link hot}: [hpa, inc, stamp] per slot), so a hit touches
 * about three lines however many vCPUs a shard holds. A combined entry's GPA
 * is not stored: the guest page tables are a fixed function of the GVA
 * (`gpaOfGva`), which keeps the TLB near 29 bytes per entry.
 */
export class Tlb {
  readonly entries: number;
  readonly ways: number;
  readonly sets: number;
  /** `sets / 2^32`, for range reduction of 32-bit hashes. */
  readonly setsScale: number;
  /** Per slot: tag0 (kind and context, {@link TAG_COMBINED}), tag1 (GVA or GPA page). */
  readonly tags: Int32Array;
  /** Per slot: HPA, root incarnation (hidden provenance), LRU stamp. */
  readonly hot: Int32Array;
  /** The nCR3/EPTP each entry was derived under. */
  readonly root: Int32Array;
  /** Hidden provenance: fill time in microseconds. */
  readonly fillUs: Int32Array;
  /** Checker bits ({@link META_REPORTED_ROOT}, {@link META_REPORTED_MAP}). */
  readonly meta: Uint8Array;
  /** LRU clock. */
  clock = 0;

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
    this.tags = new Int32Array(entries * TAGS_STRIDE);
    for (let i = 0; i < entries; i++) this.tags[i * TAGS_STRIDE] = TAG_INVALID;
    this.hot = new Int32Array(entries * HOT_STRIDE);
    this.root = new Int32Array(entries);
    this.fillUs = new Int32Array(entries);
    this.meta = new Uint8Array(entries);
  }

  /** tag0 of slot i. */
  tag0(i: number): number {
    return this.tags[i * TAGS_STRIDE];
  }
  /** tag1 of slot i. */
  tag1(i: number): number {
    return this.tags[i * TAGS_STRIDE + 1];
  }
  /** HPA of slot i. */
  hpa(i: number): number {
    return this.hot[i * HOT_STRIDE + H_HPA];
  }
  /** GPA page behind slot i (derived for combined entries). */
  gpa(i: number): number {
    const t1 = this.tags[i * TAGS_STRIDE + 1];
    const t0 = this.tags[i * TAGS_STRIDE];
    return (t0 & TAG_COMBINED) !== 0 ? this.gpaOfGva(t1, t0) : t1;
  }
  /** Root incarnation of slot i. */
  inc(i: number): number {
    return this.hot[i * HOT_STRIDE + H_INC];
  }

  /** First slot of the set for (tag0, tag1). The access loop inlines the same hash. */
  setBase(t0: number, t1: number): number {
    const h = (Math.imul(t0, 0x9e3779b1) ^ Math.imul(t1 + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    // Multiply-shift range reduction: a float multiply instead of a slow
    // floating-point modulo on a value above 2^31.
    return ((h * this.setsScale) | 0) * this.ways;
  }

  /** Next LRU stamp; renumbers all stamps (keeping their order) before overflow. */
  tick(): number {
    if (this.clock >= CLOCK_MAX) this.renumber();
    return ++this.clock;
  }

  private renumber(): void {
    const order = Array.from({ length: this.entries }, (_, i) => i).sort(
      (a, b) => this.hot[a * HOT_STRIDE + H_STAMP] - this.hot[b * HOT_STRIDE + H_STAMP],
    );
    order.forEach((slot, rank) => {
      this.hot[slot * HOT_STRIDE + H_STAMP] = rank + 1;
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
    const tags = this.tags;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (tags[2 * i + 1] === gva && tags[2 * i] === t0 && (eptp < 0 || this.root[i] === eptp)) {
        this.hot[i * HOT_STRIDE + H_STAMP] = this.tick();
        return i;
      }
    }
    return -1;
  }

  /** Finds a nested entry tagged (nCR3/EPTP, GPA); slot or -1. */
  lookupNested(ncr3: number, gpa: number): number {
    const base = this.setBase(ncr3, gpa);
    const tags = this.tags;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (tags[2 * i + 1] === gpa && tags[2 * i] === ncr3) {
        this.hot[i * HOT_STRIDE + H_STAMP] = this.tick();
        return i;
      }
    }
    return -1;
  }

  /** Inserts an entry (evicting the set's LRU victim); returns its slot. */
  fill(t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): number {
    const base = this.setBase(t0, t1);
    const tags = this.tags;
    const hot = this.hot;
    let victim = base;
    let oldest = 0x7fffffff;
    for (let i = base, end = base + this.ways; i < end; i++) {
      if (tags[2 * i] === TAG_INVALID) {
        victim = i;
        break;
      }
      const st = hot[i * HOT_STRIDE + H_STAMP];
      if (st < oldest) {
        oldest = st;
        victim = i;
      }
    }
    this.fillSlot(victim, t0, t1, hpa, root, inc, fillUs);
    return victim;
  }

  /** Writes an entry into `slot` (the caller chose it as {@link fill} does), as the newest in LRU order. */
  fillSlot(slot: number, t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): void {
    const tags = this.tags;
    tags[2 * slot] = t0;
    tags[2 * slot + 1] = t1;
    const h = slot * HOT_STRIDE;
    const hot = this.hot;
    hot[h + H_HPA] = hpa;
    hot[h + H_INC] = inc;
    hot[h + H_STAMP] = this.tick();
    this.root[slot] = root;
    this.fillUs[slot] = fillUs;
    this.meta[slot] = 0;
  }

  /** Snapshot of every entry and the LRU clock (copies). */
  save(): Record<string, unknown> {
    return {
      tags: this.tags.slice(),
      hot: this.hot.slice(),
      root: this.root.slice(),
      fillUs: this.fillUs.slice(),
      meta: this.meta.slice(),
      clock: this.clock,
    };
  }

  /** Restores {@link save} into this TLB (same geometry). */
  load(s: Record<string, unknown>): void {
    this.tags.set(s.tags as Int32Array);
    this.hot.set(s.hot as Int32Array);
    this.root.set(s.root as Int32Array);
    this.fillUs.set(s.fillUs as Int32Array);
    this.meta.set(s.meta as Uint8Array);
    this.clock = s.clock as number;
  }

  /** Number of valid entries (tests and reports). */
  countValid(): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.tags[2 * i] !== TAG_INVALID) n++;
    return n;
  }

  /** Invalidates every slot for which `pred(slot)` holds; returns how many. */
  private flushWhere(pred: (i: number) => boolean): number {
    let n = 0;
    for (let i = 0; i < this.entries; i++) {
      if (this.tags[2 * i] !== TAG_INVALID && pred(i)) {
        this.tags[2 * i] = TAG_INVALID;
        n++;
      }
    }
    return n;
  }

  private isCombined(i: number): boolean {
    return (this.tags[2 * i] & TAG_COMBINED) !== 0;
  }

  private asidOf(i: number): number {
    return (this.tags[2 * i] >>> 12) & ASID_MAX;
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
    return this.flushWhere((i) => this.root[i] === eptp);
  }

  /** INVEPT all-context: guest-physical and combined mappings of every EPTP. */
  inveptGlobal(): number {
    return this.flushAll();
  }

  /** INVVPID individual-address: combined mappings of (VPID, GVA), any PCID. Never guest-physical. */
  invvpidAddress(vpid: number, gva: number): number {
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === vpid && this.tags[2 * i + 1] === gva);
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
    return this.flushWhere((i) => {
      if (this.root[i] !== ncr3) return false;
      const g = this.gpa(i);
      return g >= gpaStart && g < end;
    });
  }

  /** Guest INVLPG: combined entry of (ASID, current PCID, GVA). */
  guestInvlpg(asid: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tags[2 * i] === t0 && this.tags[2 * i + 1] === gva);
  }

  /** Guest INVPCID type 0 (address), 1 (single context), 2/3 (all contexts; no globals are modelled). */
  guestInvpcid(asid: number, type: number, pcid: number, gva: number): number {
    const t0 = combinedTag(asid, pcid);
    if (type === 0) return this.flushWhere((i) => this.tags[2 * i] === t0 && this.tags[2 * i + 1] === gva);
    if (type === 1) return this.flushWhere((i) => this.tags[2 * i] === t0);
    return this.flushWhere((i) => this.isCombined(i) && this.asidOf(i) === asid);
  }

  /** Guest MOV CR3: without the no-flush bit, the new PCID's combined entries go. */
  guestCr3Switch(asid: number, pcid: number, noFlush: boolean): number {
    if (noFlush) return 0;
    const t0 = combinedTag(asid, pcid);
    return this.flushWhere((i) => this.tags[2 * i] === t0);
  }
}
