/** GPA pages a reported key can name: its GPA field is 27 bits wide. */
const GPA_SPAN = 0x8000000;

/** Heap bytes of one incarnation besides its page bytes (its Map entry and array object; measured, Node 20). */
const INCARNATION_OVERHEAD_BYTES = 256;

/** Cause bits a key can carry (REPORT_CAUSE_ROOT = 2, REPORT_CAUSE_MAP = 4, or both). */
const CAUSE_MASK = 6;

/**
 * The snapshot form of one reported shared entry: its root incarnation, its
 * GPA page and its cause bits in one safe integer (vcpu.state.ts keeps a
 * sorted list of them).
 */
export function reportedKey(inc: number, gpa: number, causes: number): number {
  return (inc * GPA_SPAN + gpa) * 8 + causes;
}

/** A cause combination (2, 4 or 6) as one bit of a page's byte. */
function causeBit(causes: number): number {
  return 1 << ((causes >> 1) - 1);
}

/**
 * The shared entries one vCPU has already reported (stale-hit.checker.ts),
 * as (root incarnation, GPA page, causes). The checker asks on every stale
 * hit in the partition's translations, millions of times in a long fleet
 * run, and the set grows with the stale entries the vCPU uses. A vCPU only
 * ever uses the GPAs of its own working-set region, and a stale incarnation
 * is usually stale for much of that region at once, so each incarnation
 * gets one byte per region page (a bit per cause combination): a vCPU that
 * met four stale incarnations of a 1,024-page region holds 4 KiB, where a
 * hash set of the same keys took 16 bytes a key (57 KiB per vCPU at the end
 * of fleet.yaml). The caller bounds the keys (`SHARED_REPORTED_MAX`) and the
 * incarnations ({@link incarnations}).
 */
export class ReportedKeys {
  private readonly byInc = new Map<number, Uint8Array>();
  private count = 0;
  /** The incarnation asked last and its pages: consecutive questions are mostly about one incarnation. */
  private lastInc = -1;
  private last: Uint8Array | null = null;

  /**
   * @param regionBase - the first GPA page of the vCPU's working-set region
   * @param regionPages - the pages of the region
   */
  constructor(
    private readonly regionBase: number,
    private readonly regionPages: number,
  ) {}

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Incarnations with at least one key. */
  get incarnations(): number {
    return this.byInc.size;
  }

  /** Bytes of the per-incarnation page maps, with their heap objects. */
  get bytes(): number {
    return this.byInc.size * this.bytesPerIncarnation;
  }

  /** Bytes one more incarnation would add. */
  get bytesPerIncarnation(): number {
    return this.regionPages + INCARNATION_OVERHEAD_BYTES;
  }

  /** Whether some key of incarnation `inc` is held. */
  knows(inc: number): boolean {
    return inc === this.lastInc || this.pagesOf(inc) !== null;
  }

  /** Whether (inc, gpa, causes) was reported. */
  has(inc: number, gpa: number, causes: number): boolean {
    const pages = inc === this.lastInc ? this.last : this.pagesOf(inc);
    if (pages === null) return false;
    return (pages[this.pageIndex(gpa)] & causeBit(causes)) !== 0;
  }

  /** Adds (inc, gpa, causes). */
  add(inc: number, gpa: number, causes: number): void {
    if (!(causes === 2 || causes === 4 || causes === CAUSE_MASK))
      throw new Error(`reported causes ${causes} not 2, 4 or 6`);
    if (!(inc >= 0 && inc === Math.floor(inc) && reportedKey(inc, 0, 0) <= Number.MAX_SAFE_INTEGER))
      throw new Error(`reported incarnation ${inc} is not a non-negative integer below 2^23`);
    const i = this.pageIndex(gpa);
    let pages = this.pagesOf(inc);
    if (pages === null) {
      pages = new Uint8Array(this.regionPages);
      this.byInc.set(inc, pages);
      this.lastInc = inc;
      this.last = pages;
    }
    const bit = causeBit(causes);
    if ((pages[i] & bit) === 0) this.count++;
    pages[i] |= bit;
  }

  /** Adds a key in its snapshot form ({@link reportedKey}). */
  addKey(key: number): void {
    if (!(key > 0 && key <= Number.MAX_SAFE_INTEGER && key === Math.floor(key)))
      throw new Error(`reported key ${key} is not a positive safe integer`);
    const causes = key % 8;
    const rest = (key - causes) / 8;
    const gpa = rest % GPA_SPAN;
    this.add((rest - gpa) / GPA_SPAN, gpa, causes);
  }

  /** Removes every key (and gives the memory back). */
  clear(): void {
    this.byInc.clear();
    this.count = 0;
    this.lastInc = -1;
    this.last = null;
  }

  /** The keys in snapshot form, ascending (a canonical order for snapshots). */
  keys(): number[] {
    const out: number[] = [];
    for (const [inc, pages] of this.byInc)
      for (let i = 0; i < pages.length; i++)
        for (let causes = 2; causes <= CAUSE_MASK; causes += 2)
          if (pages[i] & causeBit(causes)) out.push(reportedKey(inc, this.regionBase + i, causes));
    return out.sort((a, b) => a - b);
  }

  private pagesOf(inc: number): Uint8Array | null {
    const pages = this.byInc.get(inc) ?? null;
    if (pages !== null) {
      this.lastInc = inc;
      this.last = pages;
    }
    return pages;
  }

  /** The region page of `gpa`; a GPA outside the region is a kernel bug (vCPUs use only their own). */
  private pageIndex(gpa: number): number {
    const i = gpa - this.regionBase;
    if (!(i >= 0 && i < this.regionPages && i === Math.floor(i)))
      throw new Error(`reported GPA page ${gpa} is outside the region [${this.regionBase}, +${this.regionPages})`);
    return i;
  }
}
