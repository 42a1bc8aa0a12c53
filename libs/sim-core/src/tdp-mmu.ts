/**
 * The TDP MMU state of one VM, as KVM keeps it: the GPA -> HPA mappings
 * (leaf SPTEs, shared by every root), the roots with their refcounts and
 * validity, and `mmu_valid_gen`.
 */

/** One root incarnation. `inc` is unique per host; the page may be reused. */
export interface RootRecord {
  inc: number;
  vm: number;
  /** `kvm_mmu_page_role` (ROLE_NORMAL, ROLE_SMM, ROLE_GUEST). */
  role: number;
  page: number;
  gen: number;
  valid: boolean;
  refcount: number;
  allocNs: number;
  invalidNs: number;
  freeNs: number;
  /** Root incarnation that used the same page before, or 0. */
  prevInc: number;
  /** A flush that must complete before the root is handed out, or 0. */
  pendingOp: number;
  /** A vCPU made guest accesses under it (entries tagged with its page may exist); known from the puts. */
  used: boolean;
}

/** Dead roots kept for witnesses; older ones are forgotten. */
export const ROOT_HISTORY_MAX = 4096;

/** Per-VM TDP MMU; see the module comment. */
export class TdpMmu {
  /** GPA page -> HPA page (the SPTEs). */
  readonly map: Int32Array;
  /** `kvm->arch.mmu_valid_gen`. */
  gen = 0;
  /** Last MMU-notifier invalidation sequence number. */
  invalSeq = 0;
  /** Roots not yet freed. */
  roots: RootRecord[] = [];

  constructor(footprintPages: number, firstHpa: number) {
    this.map = new Int32Array(footprintPages);
    for (let g = 0; g < footprintPages; g++) this.map[g] = firstHpa + g;
  }

  /**
   * `kvm_tdp_mmu_get_vcpu_root_hpa()`'s lookup: a valid root of the role and
   * the current generation with a live reference (refcount inc-not-zero), or
   * undefined. With `preserved` (edbdb43fc96b) the TDP MMU's own reference
   * keeps every valid root alive, so one no vCPU holds is reused too.
   */
  findReusable(role: number, preserved = false): RootRecord | undefined {
    return this.roots.find((r) => r.valid && r.role === role && r.gen === this.gen && (r.refcount > 0 || preserved));
  }

  /**
   * `kvm_mmu_zap_all_fast()`: bump the generation and invalidate every root.
   * Returns the roots invalidated.
   */
  zapAllFast(tNs: number): RootRecord[] {
    this.gen++;
    const hit = this.roots.filter((r) => r.valid);
    for (const r of hit) {
      r.valid = false;
      r.invalidNs = tNs;
    }
    return hit;
  }

  /** Forgets a freed root. */
  unlink(root: RootRecord): void {
    this.roots = this.roots.filter((r) => r !== root);
  }
}
