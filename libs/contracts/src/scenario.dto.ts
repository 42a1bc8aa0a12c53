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
 * defaults to {@link SCENARIO_DEFAULTS}. Use {@link validateScenario} rather
 * than this class directly.
 */
export class ScenarioDto implements SimConfig {
  /**
   * Scenario name, printed in reports (required, 1 to 200 characters).
   *
   * @defaultValue none: required
   */
  @ScenarioField('name')
  name!: string;

  /**
   * The one seed every PRNG stream derives from. Integer 0..4294967295.
   *
   * @defaultValue 1
   */
  @ScenarioField('seed')
  seed!: number;

  /**
   * Platform switches.
   *
   * @defaultValue `{ vendor: 'amd', l0: 'hyperv', enlightenedTlb: true, cpuGhz: 3 }`
   */
  @ScenarioGroupField('platform', () => PlatformDto)
  platform!: PlatformDto;

  /**
   * KVM knobs.
   *
   * @defaultValue `{ policy: 'overhaul', hvFlushListEntriesMax: 510 }`
   */
  @ScenarioGroupField('kvm', () => KvmDto)
  kvm!: KvmDto;

  /**
   * Fleet shape.
   *
   * @defaultValue `{ hosts: 1, vmsPerHost: 2, vcpusPerVm: 2, memoryMiBPerVm: 1024 }`
   */
  @ScenarioGroupField('fleet', () => FleetDto)
  fleet!: FleetDto;

  /**
   * Per-vCPU TLB geometry.
   *
   * @defaultValue `{ entries: 1536, ways: 12 }`
   */
  @ScenarioGroupField('tlb', () => TlbDto)
  tlb!: TlbDto;

  /**
   * Per-vCPU guest workload.
   *
   * @defaultValue see {@link WorkloadDto}
   */
  @ScenarioGroupField('workload', () => WorkloadDto)
  workload!: WorkloadDto;

  /**
   * Per-host event rates; all zero (no events) by default.
   *
   * @defaultValue see {@link EventsDto}
   */
  @ScenarioGroupField('events', () => EventsDto)
  events!: EventsDto;

  /**
   * Message latencies.
   *
   * @defaultValue `{ ipiNs: 2000, hypercallNs: 5000, kvmRequestNs: 2000 }`
   */
  @ScenarioGroupField('latency', () => LatencyDto)
  latency!: LatencyDto;

  /**
   * Cycle costs per operation.
   *
   * @defaultValue see {@link CostsDto}
   */
  @ScenarioGroupField('costs', () => CostsDto)
  costs!: CostsDto;

  /**
   * Run knobs.
   *
   * @defaultValue `{ shards: 1, windowNs: 0, snapshotEveryWindows: 64, witnessesMax: 10, placement: 'block' }`
   */
  @ScenarioGroupField('run', () => RunDto)
  run!: RunDto;
}
