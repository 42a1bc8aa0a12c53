import type { PlatformConfig, L0Kind, Vendor } from '@tlbsim/sim-core';
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
}
