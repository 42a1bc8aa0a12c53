import type { CostsConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Cycle costs per operation (see docs/costs.md). Mirrors `CostsConfig` of `@tlbsim/sim-core`. */
export class CostsDto implements CostsConfig {
  /**
   * Cycles of a TLB hit. Number 0..1e9.
   *
   * @defaultValue 1
   */
  @ScenarioField('costs.tlbHitCycles')
  tlbHitCycles!: number;

  /**
   * Cycles of a guest (first-level) page walk. Number 0..1e9.
   *
   * @defaultValue 100
   */
  @ScenarioField('costs.guestWalkCycles')
  guestWalkCycles!: number;

  /**
   * Cycles of a nested (2D) page walk, up to 24 memory references. Number 0..1e9.
   *
   * @defaultValue 600
   */
  @ScenarioField('costs.nestedWalkCycles')
  nestedWalkCycles!: number;

  /**
   * Cycles of a VM exit and re-entry (AMD about 1.3k). Number 0..1e9.
   *
   * @defaultValue 1300
   */
  @ScenarioField('costs.vmExitCycles')
  vmExitCycles!: number;

  /**
   * Cycles of a nested exit round trip through L0 (8k to 19k). Number 0..1e9.
   *
   * @defaultValue 18900
   */
  @ScenarioField('costs.nestedExitCycles')
  nestedExitCycles!: number;

  /**
   * Cycles of an ASID flush (VMCB TLB_CONTROL). Number 0..1e9.
   *
   * @defaultValue 200
   */
  @ScenarioField('costs.asidFlushCycles')
  asidFlushCycles!: number;

  /**
   * Cycles of an INVEPT. Number 0..1e9.
   *
   * @defaultValue 8300
   */
  @ScenarioField('costs.inveptCycles')
  inveptCycles!: number;

  /**
   * Base cycles of a Hyper-V flush hypercall. Number 0..1e9.
   *
   * @defaultValue 20000
   */
  @ScenarioField('costs.hypercallBaseCycles')
  hypercallBaseCycles!: number;

  /**
   * Extra hypercall cycles per virtual processor of the partition. Number 0..1e9.
   *
   * @defaultValue 20000
   */
  @ScenarioField('costs.hypercallPerVpCycles')
  hypercallPerVpCycles!: number;

  /**
   * Cycles of sending and handling one IPI. Number 0..1e9.
   *
   * @defaultValue 2500
   */
  @ScenarioField('costs.ipiCycles')
  ipiCycles!: number;

  /**
   * Cycles of allocating and loading a new TDP MMU root. Number 0..1e9.
   *
   * @defaultValue 3000
   */
  @ScenarioField('costs.rootAllocCycles')
  rootAllocCycles!: number;

  /**
   * A nested VMRUN or #VMEXIT through L0 on AMD (KVM on Hyper-V): no public figure; an estimate that borrows Intel's 18,900 until measured. Number 0..1e9.
   *
   * @defaultValue 18900
   */
  @ScenarioField('costs.amdNestedExitCycles')
  amdNestedExitCycles!: number;

  /**
   * L0 handling a nested page fault to refill one of the partition's shared translations (its shadow tables), on top of the hardware walk: an estimate. Number 0..1e9.
   *
   * @defaultValue 3000
   */
  @ScenarioField('costs.l0NestedFaultCycles')
  l0NestedFaultCycles!: number;

  /**
   * L0's work for a full ASID flush by L1 on AMD without the enlightened TLB (it drops the address space's shadow translations): an estimate, borrowed like inveptCycles. Number 0..1e9.
   *
   * @defaultValue 8300
   */
  @ScenarioField('costs.l0AsidFlushCycles')
  l0AsidFlushCycles!: number;
}
