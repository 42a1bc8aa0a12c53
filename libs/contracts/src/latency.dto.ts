import type { LatencyConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Message latencies (the smallest of ipiNs, hypercallNs and kvmRequestNs is the lookahead) and the root free delay. Mirrors `LatencyConfig` of `@tlbsim/sim-core`. */
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

  /**
   * From a root's last put to its page's return to the allocator: the zap worker (tdp_mmu_zap_root_work) and the RCU grace period of call_rcu() in kvm_tdp_mmu_put_root(). KVM-internal, not part of the lookahead. An estimate. Integer 0..1e9.
   *
   * @defaultValue 1000000
   */
  @ScenarioField('latency.rootFreeNs')
  rootFreeNs!: number;
}
