import type { PlatformConfig, L0Kind, NestedCacheKind, Vendor } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Platform switches: CPU vendor, what runs below KVM, the enlightenment. Mirrors `PlatformConfig` of
 * `@tlbsim/sim-core`. Each key's type, unit, default, range and meaning are declared once, in
 * `SCENARIO_KEYS.platform` (scenario.keys.ts); the decorator derives the validation and the JSON
 * Schema from it.
 */
export class PlatformDto implements PlatformConfig {
  @ScenarioField('platform.vendor') vendor!: Vendor;
  @ScenarioField('platform.l0') l0!: L0Kind;
  @ScenarioField('platform.enlightenedTlb') enlightenedTlb!: boolean;
  @ScenarioField('platform.cpuGhz') cpuGhz!: number;
  @ScenarioField('platform.nestedCache') nestedCache!: NestedCacheKind;
  @ScenarioField('platform.schedQuantumUs') schedQuantumUs!: number;
}
