import type { RunConfig, Placement, SnapshotMode } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Run knobs: sharding and reporting. Mirrors `RunConfig` of `@tlbsim/sim-core`. Each key's type, unit,
 * default, range and meaning are declared once, in `SCENARIO_KEYS.run` (scenario.keys.ts); the
 * decorator derives the validation and the JSON Schema from it.
 */
export class RunDto implements RunConfig {
  @ScenarioField('run.shards') shards!: number;
  @ScenarioField('run.windowNs') windowNs!: number;
  @ScenarioField('run.snapshotEveryWindows') snapshotEveryWindows!: number;
  @ScenarioField('run.witnessesMax') witnessesMax!: number;
  @ScenarioField('run.simulatedMs') simulatedMs!: number;
  @ScenarioField('run.timeCompression') timeCompression!: number;
  @ScenarioField('run.witnessesPerClass') witnessesPerClass!: number;
  @ScenarioField('run.placement') placement!: Placement;
  @ScenarioField('run.minShards') minShards!: number;
  @ScenarioField('run.warmupMs') warmupMs!: number;
  @ScenarioField('run.replications') replications!: number;
  @ScenarioField('run.snapshots') snapshots!: SnapshotMode;
}
