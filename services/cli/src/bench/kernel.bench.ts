import { runInProcess } from '@tlbsim/engine';
import { ShardSim, SimConfig } from '@tlbsim/sim-core';

/** Results of the single-core kernel benchmark. */
export interface KernelBenchResult {
  scenario: string;
  vcpus: number;
  accesses: number;
  wallSec: number;
  /** Simulated guest accesses per second of wall time, one core, one shard. */
  accessesPerSec: number;
  /** Kernel state (heap + typed arrays) per vCPU after building every actor. */
  bytesPerVcpu: number;
  /** The same, counting only typed-array storage (TLBs, page tables, allocators). */
  typedArrayBytesPerVcpu: number;
  /** Bytes of one partition's shared nested translations (per host, not in the per-vCPU figures). */
  partitionCacheBytesPerHost: number;
  /**
   * The checker's memory of reported shared entries per vCPU at the end of
   * the run (it grows with the stale entries used; not in `bytesPerVcpu`,
   * which is measured when the actors are built).
   */
  reportedKeysBytesPerVcpuAtEnd: number;
  /** `bytesPerVcpu` plus the checker's memory at the end of the run. */
  bytesPerVcpuAtEnd: number;
  digest: string;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function stateBytes(): { total: number; arrays: number } {
  const m = process.memoryUsage();
  return { total: m.heapUsed + m.arrayBuffers, arrays: m.arrayBuffers };
}

/**
 * Memory per vCPU: the growth of heap plus ArrayBuffer memory when every
 * actor of the scenario is built (one shard), less the partitions' shared
 * nested translations (reported per host), divided by the vCPUs.
 */
export function measureBytesPerVcpu(cfg: SimConfig): {
  bytesPerVcpu: number;
  typedArrayBytesPerVcpu: number;
  partitionCacheBytesPerHost: number;
} {
  const vcpus = cfg.fleet.hosts * cfg.fleet.vmsPerHost * cfg.fleet.vcpusPerVm;
  gc();
  const before = stateBytes();
  const shard = new ShardSim(cfg, 0, 1);
  gc();
  const after = stateBytes();
  if (shard.actorIds.length === 0) throw new Error('empty shard');
  // The partitions' shared nested translations are per host: reported on their own.
  const partition = shard.partitionCacheBytesPerHost();
  const partitions = partition * cfg.fleet.hosts;
  return {
    bytesPerVcpu: Math.round((after.total - before.total - partitions) / vcpus),
    typedArrayBytesPerVcpu: Math.round((after.arrays - before.arrays - partitions) / vcpus),
    partitionCacheBytesPerHost: partition,
  };
}

/** Runs a scenario in process on one shard and measures throughput and memory. */
export async function benchKernel(cfg: SimConfig): Promise<KernelBenchResult> {
  const mem = measureBytesPerVcpu(cfg);
  let reportedBytes = 0;
  const t0 = process.hrtime.bigint();
  const report = await runInProcess(cfg, {
    shards: 1,
    onFinished: (shards) => (reportedBytes = shards.reduce((n, s) => n + s.reportedKeysBytes(), 0)),
  });
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const reportedPerVcpu = Math.round(reportedBytes / report.fleet.vcpus);
  return {
    scenario: cfg.name,
    vcpus: report.fleet.vcpus,
    accesses: report.metrics.accesses,
    wallSec: Math.round(wallSec * 1000) / 1000,
    accessesPerSec: Math.round(report.metrics.accesses / wallSec),
    ...mem,
    reportedKeysBytesPerVcpuAtEnd: reportedPerVcpu,
    bytesPerVcpuAtEnd: mem.bytesPerVcpu + reportedPerVcpu,
    digest: report.digest,
  };
}
