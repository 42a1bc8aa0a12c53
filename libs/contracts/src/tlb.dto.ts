import type { TlbConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Per-vCPU TLB geometry. Mirrors `TlbConfig` of `@tlbsim/sim-core`. Each key's type, unit, default,
 * range and meaning are declared once, in `SCENARIO_KEYS.tlb` (scenario.keys.ts); the decorator
 * derives the validation and the JSON Schema from it.
 */
export class TlbDto implements TlbConfig {
  @ScenarioField('tlb.entries') entries!: number;
  @ScenarioField('tlb.ways') ways!: number;
  @ScenarioField('tlb.nestedCacheEntries') nestedCacheEntries!: number;
}
