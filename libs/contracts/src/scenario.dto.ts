import type { SimConfig } from '@tlbsim/sim-core';
import { CostsDto } from './costs.dto';
import { EventsDto } from './events.dto';
import { FleetDto } from './fleet.dto';
import { KvmDto } from './kvm.dto';
import { LatencyDto } from './latency.dto';
import { PlatformDto } from './platform.dto';
import { RunDto } from './run.dto';
import { ScenarioField, ScenarioGroupField } from './scenario-field.decorator';
import { TlbDto } from './tlb.dto';
import { WorkloadDto } from './workload.dto';

/**
 * A whole scenario, as written in a YAML or JSON scenario file. Mirrors
 * `SimConfig` of `@tlbsim/sim-core`; every key except `name` is optional and
 * defaults to {@link SCENARIO_DEFAULTS}. Each key is declared once, in
 * {@link SCENARIO_KEYS}; the decorators derive the validation and the JSON
 * Schema from it. Use {@link validateScenario} rather than this class directly.
 */
export class ScenarioDto implements SimConfig {
  @ScenarioField('name') name!: string;
  @ScenarioField('seed') seed!: number;
  @ScenarioGroupField('platform', () => PlatformDto) platform!: PlatformDto;
  @ScenarioGroupField('kvm', () => KvmDto) kvm!: KvmDto;
  @ScenarioGroupField('fleet', () => FleetDto) fleet!: FleetDto;
  @ScenarioGroupField('tlb', () => TlbDto) tlb!: TlbDto;
  @ScenarioGroupField('workload', () => WorkloadDto) workload!: WorkloadDto;
  @ScenarioGroupField('events', () => EventsDto) events!: EventsDto;
  @ScenarioGroupField('latency', () => LatencyDto) latency!: LatencyDto;
  @ScenarioGroupField('costs', () => CostsDto) costs!: CostsDto;
  @ScenarioGroupField('run', () => RunDto) run!: RunDto;
}
