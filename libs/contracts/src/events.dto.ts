import type { EventsConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Per-host event rates in simulated time. Mirrors `EventsConfig` of `@tlbsim/sim-core`. */
export class EventsDto implements EventsConfig {
  /**
   * Memslot updates per host per simulated second (fast zap of all roots). Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.memslotUpdatesPerSec')
  memslotUpdatesPerSec!: number;

  /**
   * MMU-notifier invalidations per host per simulated second (migration, swap, KSM). Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.mmuNotifierInvalidationsPerSec')
  mmuNotifierInvalidationsPerSec!: number;

  /**
   * Guest pages per MMU-notifier invalidation. Integer 1..65536.
   *
   * @defaultValue 16
   */
  @ScenarioField('events.mmuNotifierPages')
  mmuNotifierPages!: number;

  /**
   * Nested VMRUN/#VMEXIT transitions per host per simulated second. Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.nestedTransitionsPerSec')
  nestedTransitionsPerSec!: number;

  /**
   * Guest CR4 writes per host per simulated second. Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.cr4WritesPerSec')
  cr4WritesPerSec!: number;

  /**
   * Guest CR0.WP toggles per host per simulated second; before 01b31714bd90 each unloads the vCPU's roots. Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.cr0WpTogglesPerSec')
  cr0WpTogglesPerSec!: number;

  /**
   * SMIs per host per simulated second: SMI and RSM switch the vCPU to an SMM-role root and back. Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.smiPerSec')
  smiPerSec!: number;

  /**
   * Time the SMI handler runs per SMI, making SMRAM accesses under the SMM-role root, before RSM (0: RSM at once, no access). An estimate, not a measurement. Number 0..1e5.
   *
   * @defaultValue 20
   */
  @ScenarioField('events.smmDurationUs')
  smmDurationUs!: number;

  /**
   * Memslot DELETEs per host per simulated second: the slot's pages are unmapped, fast-zapped, and freed once every vCPU left guest mode. Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.memslotDeletesPerSec')
  memslotDeletesPerSec!: number;

  /**
   * Guest pages of the slot a memslot DELETE removes (re-created with new backing pages). Integer 1..65536.
   *
   * @defaultValue 64
   */
  @ScenarioField('events.memslotDeletePages')
  memslotDeletePages!: number;

  /**
   * vCPU migrations between the partition's virtual processors per host per simulated second (a new ASID on AMD, KVM_REQ_TLB_FLUSH on Intel). Number 0..1e7.
   *
   * @defaultValue 0
   */
  @ScenarioField('events.vcpuMigrationsPerSec')
  vcpuMigrationsPerSec!: number;
}
