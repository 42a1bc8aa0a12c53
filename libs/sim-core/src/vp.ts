import type { SaveOptions } from './save-options';
import { gpaOfGva } from './guest-memory';
import { ASID_MAX, Tlb } from './tlb';

/**
 * One virtual processor (VP) of an L1 partition: the hardware TLB the vCPUs
 * scheduled on it share, and SVM's per-CPU ASID allocator (`svm_cpu_data`:
 * `next_asid`, `asid_generation`). Owned by one shard; never shared.
 */
export class Vp {
  /** The VP's TLB (combined entries tagged by ASID/VPID and PCID; nested entries when they live here). */
  readonly tlb: Tlb;
  /** Next ASID `new_asid()` hands out. */
  nextAsid = 1;
  /** `asid_generation`: bumped when the ASIDs run out (with a flush of every ASID). */
  asidGen = 1;
  /** Time L0 took from this VP to apply partition-wide flushes, not yet charged to the vCPU running on it. */
  stolenNs = 0;
  /**
   * GPA region of the vCPU each ASID/VPID was given to: the guest page
   * tables are a fixed function of (vCPU, GVA), so this is all the TLB needs
   * to know the GPA behind a combined entry. Cleared on a generation bump,
   * which flushes every combined entry.
   */
  private readonly regionOf = new Map<number, number>();

  constructor(
    readonly host: number,
    readonly index: number,
    entries: number,
    ways: number,
    workingSetPages: number,
    private readonly asidsMax: number,
  ) {
    this.tlb = new Tlb(entries, ways, (gva, tag0) =>
      gpaOfGva(gva, workingSetPages, this.regionOf.get((tag0 >>> 12) & ASID_MAX) ?? 0),
    );
  }

  /** Records that `asid` tags the combined entries of a vCPU whose GPA region starts at `regionBase`. */
  assign(asid: number, regionBase: number): void {
    this.regionOf.set(asid, regionBase);
  }

  /**
   * `new_asid()`: the next ASID of this VP; when they run out the generation
   * is bumped and the caller must flush every ASID (TLB_CONTROL_FLUSH_ALL_ASID).
   * @returns the ASID and whether a flush of all ASIDs is owed
   */
  newAsid(): { asid: number; flushAll: boolean } {
    let flushAll = false;
    if (this.nextAsid > this.asidsMax) {
      this.asidGen++;
      this.nextAsid = 1;
      this.regionOf.clear();
      flushAll = true;
    }
    return { asid: this.nextAsid++, flushAll };
  }

  /** Snapshot state (see {@link SaveOptions}). */
  save(opts?: SaveOptions): Record<string, unknown> {
    return {
      tlb: this.tlb.save(opts),
      nextAsid: this.nextAsid,
      asidGen: this.asidGen,
      stolenNs: this.stolenNs,
      regionOf: [...this.regionOf.entries()],
    };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.tlb.load(s.tlb as Record<string, unknown>);
    this.nextAsid = s.nextAsid as number;
    this.asidGen = s.asidGen as number;
    this.stolenNs = s.stolenNs as number;
    this.regionOf.clear();
    for (const [a, r] of s.regionOf as [number, number][]) this.regionOf.set(a, r);
  }
}
