import type { WorkloadConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Per-vCPU guest workload. Mirrors `WorkloadConfig` of `@tlbsim/sim-core`. */
export class WorkloadDto implements WorkloadConfig {
  /**
   * Guest memory accesses each vCPU performs. Integer 1..1e9.
   *
   * @defaultValue 200000
   */
  @ScenarioField('workload.accessesPerVcpu')
  accessesPerVcpu!: number;

  /**
   * Distinct 4 KiB guest pages each vCPU touches. Integer 1..1048576.
   *
   * @defaultValue 1024
   */
  @ScenarioField('workload.workingSetPages')
  workingSetPages!: number;

  /**
   * Pages of the working set that receive `hotPercent` of the accesses. Integer 1..1048576.
   *
   * @defaultValue 64
   */
  @ScenarioField('workload.hotPages')
  hotPages!: number;

  /**
   * Percentage of accesses that go to the hot pages. Number 0..100.
   *
   * @defaultValue 80
   */
  @ScenarioField('workload.hotPercent')
  hotPercent!: number;

  /**
   * Guest processes (address spaces) per vCPU. Integer 1..64.
   *
   * @defaultValue 4
   */
  @ScenarioField('workload.processes')
  processes!: number;

  /**
   * Guest uses PCID, so CR3 switches keep tagged TLB entries.
   *
   * @defaultValue true
   */
  @ScenarioField('workload.pcid')
  pcid!: boolean;

  /**
   * Guest CR3 switches per million accesses. Number 0..1e6.
   *
   * @defaultValue 50
   */
  @ScenarioField('workload.cr3SwitchesPerMillionAccesses')
  cr3SwitchesPerMillionAccesses!: number;

  /**
   * Guest INVLPG/INVPCID per million accesses. Number 0..1e6.
   *
   * @defaultValue 20
   */
  @ScenarioField('workload.invlpgPerMillionAccesses')
  invlpgPerMillionAccesses!: number;

  /**
   * The time of a guest access that hits in the TLB; misses, walks, exits and waits add their own time (time is cost). Integer 1..1000000.
   *
   * @defaultValue 2
   */
  @ScenarioField('workload.accessIntervalNs')
  accessIntervalNs!: number;

  /**
   * Share of each vCPU's time spent running an L3 guest of the L2 (vmcb02, guest-mode root), entered and left by the nested transitions. Number 0..95.
   *
   * @defaultValue 0
   */
  @ScenarioField('workload.l3TimePercent')
  l3TimePercent!: number;

  /**
   * Guest accesses one simulated access stands for; its time and cycles scale by it, so seconds of a fleet can be priced (see docs/costs.md for what sampling distorts). Integer 1..1000000.
   *
   * @defaultValue 1
   */
  @ScenarioField('workload.accessSampling')
  accessSampling!: number;

  /**
   * SMRAM pages the SMI handler touches: the first pages of each vCPU's own working-set region, reached under the SMM-role root (at most the working set). Integer 1..4096.
   *
   * @defaultValue 16
   */
  @ScenarioField('workload.smramPages')
  smramPages!: number;
}
