import { SimConfig } from './config';

/**
 * What a policy name and the platform switches mean for the model. Each flag
 * is one decision point of KVM's code; docs/model.md names the commit.
 */
export interface PolicyFlags {
  /**
   * Pre-overhaul TDP MMU: a root is zapped with a remote TLB flush before its
   * page is freed, so a reused page starts clean.
   */
  flushBeforeFree: boolean;
  /**
   * e5c972c1fada: `svm_flush_tlb_current()` also calls
   * `hyperv_flush_guest_mapping(root)` when the enlightened TLB is on.
   */
  hvFlushCurrent: boolean;
  /** Alternative discussed on the list: flush a root's address space right after allocating it. */
  flushOnAlloc: boolean;
  /** The ASID flush keeps nested entries (AMD + Hyper-V + enlightened TLB in effect). */
  enlightened: boolean;
  /** Remote flushes go through Hyper-V hypercalls (else IPIs to the vCPUs). */
  hyperv: boolean;
  /** Intel: `flush_tlb_current` is INVEPT single-context. */
  intel: boolean;
  /**
   * Nested translations live in the partition's shared cache (Hyper-V with
   * `platform.nestedCache: partition`), not in each processor's TLB.
   */
  sharedNested: boolean;
}

/** Derives the flags of a scenario's policy and platform. */
export function policyFlags(cfg: SimConfig): PolicyFlags {
  const p = cfg.kvm.policy;
  const hyperv = cfg.platform.l0 === 'hyperv';
  const intel = cfg.platform.vendor === 'intel';
  return {
    flushBeforeFree: p === 'pre-overhaul',
    hvFlushCurrent: p === 'overhaul+hv-flush-current',
    flushOnAlloc: p === 'overhaul+flush-on-alloc',
    enlightened: hyperv && !intel && cfg.platform.enlightenedTlb && p !== 'enlightened-tlb-off',
    hyperv,
    intel,
    sharedNested: hyperv && cfg.platform.nestedCache === 'partition',
  };
}
