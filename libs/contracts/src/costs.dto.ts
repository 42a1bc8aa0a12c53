import type { CostsConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Cycle costs per operation (see docs/costs.md). Mirrors `CostsConfig` of `@tlbsim/sim-core`. Each
 * key's type, unit, default, range and meaning are declared once, in `SCENARIO_KEYS.costs`
 * (scenario.keys.ts); the decorator derives the validation and the JSON Schema from it.
 */
export class CostsDto implements CostsConfig {
  @ScenarioField('costs.tlbHitCycles') tlbHitCycles!: number;
  @ScenarioField('costs.guestWalkCycles') guestWalkCycles!: number;
  @ScenarioField('costs.nestedWalkCycles') nestedWalkCycles!: number;
  @ScenarioField('costs.vmExitCycles') vmExitCycles!: number;
  @ScenarioField('costs.nestedExitCycles') nestedExitCycles!: number;
  @ScenarioField('costs.asidFlushCycles') asidFlushCycles!: number;
  @ScenarioField('costs.inveptCycles') inveptCycles!: number;
  @ScenarioField('costs.hypercallBaseCycles') hypercallBaseCycles!: number;
  @ScenarioField('costs.hypercallPerVpCycles') hypercallPerVpCycles!: number;
  @ScenarioField('costs.ipiCycles') ipiCycles!: number;
  @ScenarioField('costs.rootAllocCycles') rootAllocCycles!: number;
  @ScenarioField('costs.amdNestedExitCycles') amdNestedExitCycles!: number;
  @ScenarioField('costs.l0NestedFaultCycles') l0NestedFaultCycles!: number;
  @ScenarioField('costs.l0AsidFlushCycles') l0AsidFlushCycles!: number;
}
