import type { KvmConfig, PolicyName } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** KVM knobs: the flush policy under test. Mirrors `KvmConfig` of `@tlbsim/sim-core`. */
export class KvmDto implements KvmConfig {
  /**
   * Flush policy of KVM (see docs/model.md for the commit each one models):
   * a base, one of `pre-overhaul`, `overhaul`, `overhaul+hv-flush-current`,
   * `overhaul+flush-on-alloc`, `enlightened-tlb-off`, then optionally the
   * follow-up fixes as modifiers in this order: `+preserve-roots`
   * (edbdb43fc96b) and `+cr0wp-keep-roots` (01b31714bd90). The combinations:
   * `pre-overhaul+preserve-roots`, `overhaul+preserve-roots`,
   * `overhaul+hv-flush-current+preserve-roots`, `overhaul+flush-on-alloc+preserve-roots`,
   * `enlightened-tlb-off+preserve-roots`, `pre-overhaul+cr0wp-keep-roots`,
   * `overhaul+cr0wp-keep-roots`, `overhaul+hv-flush-current+cr0wp-keep-roots`,
   * `overhaul+flush-on-alloc+cr0wp-keep-roots`, `enlightened-tlb-off+cr0wp-keep-roots`,
   * `pre-overhaul+preserve-roots+cr0wp-keep-roots`, `overhaul+preserve-roots+cr0wp-keep-roots`,
   * `overhaul+hv-flush-current+preserve-roots+cr0wp-keep-roots`,
   * `overhaul+flush-on-alloc+preserve-roots+cr0wp-keep-roots`,
   * `enlightened-tlb-off+preserve-roots+cr0wp-keep-roots`.
   *
   * @defaultValue 'overhaul'
   */
  @ScenarioField('kvm.policy')
  policy!: PolicyName;

  /**
   * HV_MAX_FLUSH_REP_COUNT: ranges in one GPA-list hypercall before KVM falls back to a whole-space flush. Integer 1..4096.
   *
   * @defaultValue 510
   */
  @ScenarioField('kvm.hvFlushListEntriesMax')
  hvFlushListEntriesMax!: number;

  /**
   * Historical bug toggle: range flushes cover only the first page of the range ("KVM: x86/mmu: Fix wrong gfn range of tlb flushing", 2022; visible only through the Hyper-V GPA-list hypercall).
   *
   * @defaultValue false
   */
  @ScenarioField('kvm.undersizedRangeFlush')
  undersizedRangeFlush!: boolean;

  /**
   * Historical bug toggle: pages unmapped by an MMU-notifier invalidation are freed before the remote TLB flush completed (the class of Xen CVE-2026-23554).
   *
   * @defaultValue false
   */
  @ScenarioField('kvm.freeBeforeFlush')
  freeBeforeFlush!: boolean;
}
