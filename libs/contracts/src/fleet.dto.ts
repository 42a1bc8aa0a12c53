import type { FleetConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Fleet shape: hosts, VMs, vCPUs, memory. Mirrors `FleetConfig` of `@tlbsim/sim-core`. */
export class FleetDto implements FleetConfig {
  /**
   * L1 hosts (Hyper-V partitions running KVM). Integer 1..4096.
   *
   * @defaultValue 1
   */
  @ScenarioField('fleet.hosts')
  hosts!: number;

  /**
   * L2 VMs per host. Integer 1..1024.
   *
   * @defaultValue 2
   */
  @ScenarioField('fleet.vmsPerHost')
  vmsPerHost!: number;

  /**
   * vCPUs per VM. Integer 1..1024.
   *
   * @defaultValue 2
   */
  @ScenarioField('fleet.vcpusPerVm')
  vcpusPerVm!: number;

  /**
   * Guest memory per VM in MiB. Integer 16..1048576.
   *
   * @defaultValue 1024
   */
  @ScenarioField('fleet.memoryMiBPerVm')
  memoryMiBPerVm!: number;

  /**
   * Virtual processors of each L1 partition; vCPUs are time-sliced and migrated onto them (0: one per vCPU, pinned). Integer 0..1048576, at most the vCPUs per host.
   *
   * @defaultValue 0
   */
  @ScenarioField('fleet.l1VpsPerHost')
  l1VpsPerHost!: number;
}
