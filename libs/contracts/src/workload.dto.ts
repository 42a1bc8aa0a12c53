import type { WorkloadConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Per-vCPU guest workload. Mirrors `WorkloadConfig` of `@tlbsim/sim-core`. Each key's type, unit,
 * default, range and meaning are declared once, in `SCENARIO_KEYS.workload` (scenario.keys.ts); the
 * decorator derives the validation and the JSON Schema from it.
 */
export class WorkloadDto implements WorkloadConfig {
  @ScenarioField('workload.accessesPerVcpu') accessesPerVcpu!: number;
  @ScenarioField('workload.workingSetPages') workingSetPages!: number;
  @ScenarioField('workload.hotPages') hotPages!: number;
  @ScenarioField('workload.hotPercent') hotPercent!: number;
  @ScenarioField('workload.processes') processes!: number;
  @ScenarioField('workload.pcid') pcid!: boolean;
  @ScenarioField('workload.cr3SwitchesPerMillionAccesses') cr3SwitchesPerMillionAccesses!: number;
  @ScenarioField('workload.invlpgPerMillionAccesses') invlpgPerMillionAccesses!: number;
  @ScenarioField('workload.accessIntervalNs') accessIntervalNs!: number;
  @ScenarioField('workload.l3TimePercent') l3TimePercent!: number;
  @ScenarioField('workload.accessSampling') accessSampling!: number;
  @ScenarioField('workload.smramPages') smramPages!: number;
}
