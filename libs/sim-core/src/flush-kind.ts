/** How the last `flush_tlb_current` was done; carried into witnesses. */
export const FLUSH_KIND_NAMES = [
  'none',
  'svm_flush_tlb_current: ASID flush, enlightened TLB (nested entries kept)',
  'svm_flush_tlb_current: ASID flush (all entries of the ASID)',
  'svm_flush_tlb_current: hyperv_flush_guest_mapping(root) + ASID flush',
  'vmx_flush_tlb_current: INVEPT single-context(EPTP)',
  'svm_flush_tlb_current on vmcb02 (L3 running): ASID flush, not enlightened (no Hyper-V flush even with e5c972c1fada)',
  'kvm_vcpu_flush_tlb_all: everything the processor caches',
  'vmx_flush_tlb_all: INVEPT all-context',
] as const;

/** Flush kinds (indexes of {@link FLUSH_KIND_NAMES}). */
export const FK_ASID_ENL = 1;
export const FK_ASID_FULL = 2;
export const FK_HV_ASID = 3;
export const FK_INVEPT = 4;
export const FK_ASID_VMCB02 = 5;
export const FK_FULL = 6;
export const FK_INVEPT_GLOBAL = 7;
