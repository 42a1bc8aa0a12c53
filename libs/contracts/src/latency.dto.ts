import type { LatencyConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Message latencies; the smallest one is the lookahead. Mirrors `LatencyConfig` of `@tlbsim/sim-core`. */
export class LatencyDto implements LatencyConfig {
  /**
   * Delivery latency of an IPI. Integer 1..1e9.
   *
   * @defaultValue 2000
   */
  @ScenarioField('latency.ipiNs')
  ipiNs!: number;

  /**
   * Latency of a flush hypercall until every processor of the partition applied it. Integer 1..1e9.
   *
   * @defaultValue 5000
   */
  @ScenarioField('latency.hypercallNs')
  hypercallNs!: number;

  /**
   * Latency of a KVM request (kvm_make_request + kick) to a vCPU. Integer 1..1e9.
   *
   * @defaultValue 2000
   */
  @ScenarioField('latency.kvmRequestNs')
  kvmRequestNs!: number;
}
