import type { FleetConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Fleet shape: hosts, VMs, vCPUs, memory. Mirrors `FleetConfig` of `@tlbsim/sim-core`. Each key's
 * type, unit, default, range and meaning are declared once, in `SCENARIO_KEYS.fleet`
 * (scenario.keys.ts); the decorator derives the validation and the JSON Schema from it.
 */
export class FleetDto implements FleetConfig {
  @ScenarioField('fleet.hosts') hosts!: number;
  @ScenarioField('fleet.vmsPerHost') vmsPerHost!: number;
  @ScenarioField('fleet.vcpusPerVm') vcpusPerVm!: number;
  @ScenarioField('fleet.memoryMiBPerVm') memoryMiBPerVm!: number;
  @ScenarioField('fleet.l1VpsPerHost') l1VpsPerHost!: number;
}
