import type { KvmConfig, PolicyName } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * KVM knobs: the flush policy under test. Mirrors `KvmConfig` of `@tlbsim/sim-core`. Each key's type,
 * unit, default, range and meaning are declared once, in `SCENARIO_KEYS.kvm` (scenario.keys.ts); the
 * decorator derives the validation and the JSON Schema from it.
 */
export class KvmDto implements KvmConfig {
  @ScenarioField('kvm.policy') policy!: PolicyName;
  @ScenarioField('kvm.hvFlushListEntriesMax') hvFlushListEntriesMax!: number;
  @ScenarioField('kvm.undersizedRangeFlush') undersizedRangeFlush!: boolean;
  @ScenarioField('kvm.freeBeforeFlush') freeBeforeFlush!: boolean;
}
