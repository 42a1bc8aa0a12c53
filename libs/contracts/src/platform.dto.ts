import type { PlatformConfig, L0Kind, NestedCacheKind, Vendor } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Platform switches: CPU vendor, what runs below KVM, the enlightenment. Mirrors `PlatformConfig` of `@tlbsim/sim-core`. */
export class PlatformDto implements PlatformConfig {
  /**
   * CPU vendor: `amd` (flush_tlb_current is an ASID flush) or `intel` (INVEPT single-context).
   *
   * @defaultValue 'amd'
   */
  @ScenarioField('platform.vendor')
  vendor!: Vendor;

  /**
   * What runs below KVM: `hyperv` (KVM is an L1 hypervisor) or `none` (bare metal).
   *
   * @defaultValue 'hyperv'
   */
  @ScenarioField('platform.l0')
  l0!: L0Kind;

  /**
   * HV_X64_NESTED_ENLIGHTENED_TLB exposed to KVM: an ASID flush no longer flushes nested (nCR3-tagged) entries (AMD only).
   *
   * @defaultValue true
   */
  @ScenarioField('platform.enlightenedTlb')
  enlightenedTlb!: boolean;

  /**
   * Clock used to turn cycles into nanoseconds in reports. Number 0.1..10.
   *
   * @defaultValue 3
   */
  @ScenarioField('platform.cpuGhz')
  cpuGhz!: number;

  /**
   * Where nested (GPA -> HPA) translations live under Hyper-V: `partition` (L0's shadow NPT/EPT, shared by every virtual processor of the partition, dropped only by the GPA flush hypercalls) or `vp` (each virtual processor's TLB). Bare metal always behaves like `vp`.
   *
   * @defaultValue 'partition'
   */
  @ScenarioField('platform.nestedCache')
  nestedCache!: NestedCacheKind;

  /**
   * L1 scheduler quantum in microseconds: vCPUs sharing a virtual processor take turns this often (rounded to whole windows). Integer 1..1000000.
   *
   * @defaultValue 3000
   */
  @ScenarioField('platform.schedQuantumUs')
  schedQuantumUs!: number;
}
