import { SimConfig } from './config';

/**
 * Actor numbering and placement. Host h owns a contiguous block of actor ids:
 * kvm, then l0, then its vCPUs (VM-major). Ids are stable for a scenario,
 * so PRNG streams and message order never depend on placement.
 */
export class Topology {
  readonly hosts: number;
  readonly vmsPerHost: number;
  readonly vcpusPerVm: number;
  readonly vcpusPerHost: number;
  readonly actorsPerHost: number;
  readonly actorCount: number;
  /** GPA pages each VM's workload touches (its pre-faulted footprint). */
  readonly footprintPages: number;

  constructor(cfg: SimConfig) {
    this.hosts = cfg.fleet.hosts;
    this.vmsPerHost = cfg.fleet.vmsPerHost;
    this.vcpusPerVm = cfg.fleet.vcpusPerVm;
    this.vcpusPerHost = this.vmsPerHost * this.vcpusPerVm;
    this.actorsPerHost = 2 + this.vcpusPerHost;
    this.actorCount = this.hosts * this.actorsPerHost;
    this.footprintPages = this.vcpusPerVm * cfg.workload.workingSetPages;
  }

  /** The kvm actor of host h. */
  kvmId(host: number): number {
    return host * this.actorsPerHost;
  }

  /** The l0 actor of host h. */
  l0Id(host: number): number {
    return host * this.actorsPerHost + 1;
  }

  /** The vCPU actor for (host, VM index on host, vCPU index in VM). */
  vcpuId(host: number, vm: number, vcpu: number): number {
    return host * this.actorsPerHost + 2 + vm * this.vcpusPerVm + vcpu;
  }

  /** Host of an actor. */
  hostOf(actor: number): number {
    return Math.floor(actor / this.actorsPerHost);
  }

  /** 0 = kvm, 1 = l0, 2 = vcpu. */
  roleOf(actor: number): number {
    const r = actor % this.actorsPerHost;
    return r < 2 ? r : 2;
  }

  /** Index of a vCPU actor among its host's vCPUs. */
  hostVcpuIndex(actor: number): number {
    return (actor % this.actorsPerHost) - 2;
  }

  /** Fleet-wide VM number (host-major) of a host-local VM index. */
  globalVm(host: number, vm: number): number {
    return host * this.vmsPerHost + vm;
  }

  /** The shard an actor runs on. Any placement gives the same result. */
  shardOf(actor: number, shards: number, placement: 'block' | 'round-robin'): number {
    if (placement === 'round-robin') return actor % shards;
    return Math.floor((actor * shards) / this.actorCount);
  }
}
