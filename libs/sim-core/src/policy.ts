import { policyParts, SimConfig } from './config';

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
  /**
   * edbdb43fc96b (v6.4, 6.3.2): the TDP MMU holds a reference on every valid
   * root until it is invalidated, so a root unloaded by every vCPU (SMI, RSM,
   * CR0.WP) is kept and reused instead of freed.
   */
  preserveRoots: boolean;
  /** 01b31714bd90: a CR0.WP toggle with TDP no longer resets the MMU context (no unload). */
  cr0wpKeepRoots: boolean;
  /** The ASID flush keeps nested entries (AMD + Hyper-V + enlightened TLB in effect). */
  enlightened: boolean;
  /** L0 is Hyper-V (KVM is L1). */
  hyperv: boolean;
  /**
   * Remote flushes go through the GPA flush hypercalls (`hv_remote_flush_tlb`),
   * else `KVM_REQ_TLB_FLUSH` IPIs to the vCPUs. SVM installs the hypercalls
   * only with NPT and `HV_X64_NESTED_ENLIGHTENED_TLB` (`svm_hv_hardware_setup()`);
   * VMX whenever Hyper-V offers `HV_X64_NESTED_GUEST_MAPPING_FLUSH`, which the
   * model assumes.
   */
  hvRemoteFlush: boolean;
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
  const { base: p, modifiers } = policyParts(cfg.kvm.policy);
  const hyperv = cfg.platform.l0 === 'hyperv';
  const intel = cfg.platform.vendor === 'intel';
  const enlightened = hyperv && !intel && cfg.platform.enlightenedTlb && p !== 'enlightened-tlb-off';
  return {
    flushBeforeFree: p === 'pre-overhaul',
    hvFlushCurrent: p === 'overhaul+hv-flush-current',
    flushOnAlloc: p === 'overhaul+flush-on-alloc',
    preserveRoots: modifiers.includes('preserve-roots'),
    cr0wpKeepRoots: modifiers.includes('cr0wp-keep-roots'),
    enlightened,
    hyperv,
    hvRemoteFlush: hyperv && (intel || enlightened),
    intel,
    sharedNested: hyperv && cfg.platform.nestedCache === 'partition',
  };
}
