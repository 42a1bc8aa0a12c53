/**
 * The measured inputs of the exchange cost model (scaling.model.ts) and the
 * job shapes it runs on: a scenario's shards, their neighbour relation
 * (sim-core `shardNeighboursOf`) and their per-window work. Where each number
 * comes from: docs/scaling.md section 8.
 */
import { hostShardsOf, shardNeighboursOf, type SimConfig } from '@tlbsim/sim-core';
import type { ShardNeighbours } from '@tlbsim/sim-core';
import { barrierNeedOf, publishesAt, shardLinksOf } from '@tlbsim/jobs';
import type { ExchangeCosts, JobModel, ShardLoad } from './scaling.types';

/** Windows of fleet.yaml at 100,000 accesses per vCPU (measured: every distributed run of the bench). */
export const FLEET_WINDOWS = 5535;
/** Accesses per vCPU of the checked runs and of the projections. */
export const ACCESSES_PER_VCPU = 100000;

/** Shard-windows of the 1-worker run: 2 shards x 5,535 windows. */
const ONE_WORKER_SHARD_WINDOWS = 2 * FLEET_WINDOWS;

/**
 * Worker CPU per byte of batches exchanged (sent or received: the publish's
 * encoding and socket writes, the reply's parsing, and the garbage
 * collection the batches cause), from the CPU profile of a 4-shard
 * round-robin run at 30,000 accesses per vCPU (2 workers x 2 slots, 2,842
 * windows; per worker: publish 4.9 s, GC 3.6 s over 5,684 shard-windows)
 * and its batches counted in process (84,831 bytes sent per shard-window,
 * as many received), less the per-window figures of the 1-worker profile.
 */
function workerNsPerByteExchanged(): number {
  const shardWindows = 2 * 2842;
  const perWindowMs = (4900 + 3600) / shardWindows - (1000 + 430) / ONE_WORKER_SHARD_WINDOWS;
  return (perWindowMs * 1e6) / (2 * 84831);
}

/**
 * The costs on this machine's loopback: worker-side figures from the CPU
 * profile of the 1-worker run (commit 9734c8f: kernel 19.4 s, exchange 1.0 s,
 * snapshots 0.77 s for 4, GC 0.43 s), Redis-side ones from a private
 * redis-server (AOF every second) driven through `ShardExchangeRepository.publish`
 * (the publish script of 99d61da: O(d) per publish; per byte written, AOF
 * rewrite, read-back and snapshots still from the 9734c8f measurements;
 * /tmp measurement scripts, section 8).
 */
export const LOOPBACK_COSTS: ExchangeCosts = {
  workerOverheadMsPerWindow: 430 / ONE_WORKER_SHARD_WINDOWS,
  clientMsPerPublish: 1000 / ONE_WORKER_SHARD_WINDOWS,
  clientNsPerByteSent: workerNsPerByteExchanged(),
  clientNsPerByteReceived: workerNsPerByteExchanged(),
  redisUsPerPublish: 21.6,
  redisUsPerOutNeighbour: 3.5,
  redisUsPerLookup: 0.75,
  redisUsPerBatch: 5,
  redisNsPerByteWritten: 6.4,
  redisChildNsPerByteWritten: 1.6,
  redisNsPerByteRead: 0.12,
  redisUsPerWake: 5,
  redisUsPerSpanWindow: 2,
  redisMsPerSnapshotMB: 3.7,
  snapshotChildMsPerMB: 0,
  snapshotClientMsPerVcpu: 770 / 4 / 512,
  snapshotMBPerVcpu: 29 / 512,
  rttMs: 0.05,
};

/**
 * {@link LOOPBACK_COSTS} with one input calibrated on the runs of d2cf199
 * (docs/scaling.md section 8, after the out-of-sample check): the CPU a
 * snapshot costs beside the shard's thread and Redis's main thread,
 * 16.9 ms per MB (490 ms per 29 MB snapshot). Fitted so that the model's 2
 * workers at `run.snapshotEveryWindows` 2048 take as much longer than
 * without periodic snapshots as measured (11.53 - 9.95 = 1.58 s, 2
 * snapshots per shard): ~0.79 s of machine CPU per snapshot in all, against
 * the 0.30 s the other inputs give (shard 192 ms, Redis 107 ms).
 */
export const SNAPSHOT_CALIBRATED_COSTS: ExchangeCosts = { ...LOOPBACK_COSTS, snapshotChildMsPerMB: 16.9 };

/**
 * Kernel CPU per shard-window: `perVcpuMs` per vCPU run plus `perHostMs` per
 * host the shard holds part of (its partition replica applies every
 * broadcast of the host). Two equations: the 1-worker profile (2 block
 * shards of 512 vCPUs and 4 hosts each: 19.4 s over 11,070 shard-windows),
 * and the in-process ratio of 4 round-robin shards (256 vCPUs, 8 hosts each)
 * to 2 block shards (34.2 s / 17.85 s, both one core).
 */
function kernelCoefficients(): { perVcpuMs: number; perHostMs: number } {
  const blockMs = 19400 / ONE_WORKER_SHARD_WINDOWS;
  const ratio = 34.2 / 17.85;
  // 4 (256 a + 8 b) = ratio x 2 (512 a + 4 b), and 512 a + 4 b = blockMs.
  const bOverA = (2 * ratio * 512 - 4 * 256) / (32 - 2 * ratio * 4);
  const perVcpuMs = blockMs / (512 + 4 * bOverA);
  return { perVcpuMs, perHostMs: perVcpuMs * bOverA };
}

/**
 * Cross-shard messages a shard sends per window, per vCPU of a host it
 * holds, per other shard holding that host: the 4-shard round-robin run
 * counted 251,818 messages/s x 63.9 s over 4 x 5,535 shard-windows, each
 * shard holding 32 vCPUs of each of 8 hosts, each host on 3 other shards.
 */
const MESSAGES_PER_VCPU_PER_REPLICA = (251818 * 63.9) / (4 * FLEET_WINDOWS) / (8 * 32 * 3);
/** Bytes per cross-shard message at 9734c8f (the checked runs); 25.4 with the column-wise batch codec (dd9382c). */
const MESSAGE_BYTES = 96;

/** Options of {@link jobModelOf}. */
export interface JobShapeOptions {
  /** Shards per worker core. @defaultValue 1 */
  shardsPerWorker?: number;
  /** Kernel time factor (e.g. two processes computing at once on this machine). @defaultValue 1 */
  kernelFactor?: number;
  /** The Redis master of the job. @defaultValue 0 */
  master?: number;
  /** Bytes per cross-shard message. @defaultValue 96 (commit 9734c8f) */
  messageBytes?: number;
}

/** One job of scenario `cfg` on `shards` shards, under its `run.placement`. */
export function jobModelOf(cfg: SimConfig, shards: number, opts: JobShapeOptions = {}): JobModel {
  const neighbours = shardNeighboursOf(cfg, shards);
  const hostVcpus = cfg.fleet.vmsPerHost * cfg.fleet.vcpusPerVm;
  const vcpus = cfg.fleet.hosts * hostVcpus;
  const k = kernelCoefficients();
  const held = new Array<number>(shards).fill(0);
  const messages = new Array<number>(shards).fill(0);
  for (const on of hostShardsOf(cfg, shards)) {
    for (const s of on) {
      held[s]++;
      messages[s] += MESSAGES_PER_VCPU_PER_REPLICA * (hostVcpus / on.length) * (on.length - 1);
    }
  }
  const loads: ShardLoad[] = held.map((h, s) => ({
    vcpus: vcpus / shards,
    kernelMsPerWindow: (k.perVcpuMs * (vcpus / shards) + k.perHostMs * h) * (opts.kernelFactor ?? 1),
    bytesOutPerWindow: messages[s] * (opts.messageBytes ?? MESSAGE_BYTES),
    bytesInPerWindow: messages[s] * (opts.messageBytes ?? MESSAGE_BYTES),
  }));
  return {
    neighbours,
    loads,
    windows: FLEET_WINDOWS,
    accesses: vcpus * ACCESSES_PER_VCPU,
    snapshotEveryWindows: cfg.run.snapshotEveryWindows,
    shardsPerWorker: opts.shardsPerWorker ?? 1,
    master: opts.master ?? 0,
  };
}

/**
 * Kernel CPU of a process while another computes on this 2-core machine,
 * over its CPU alone: two in-process fleet.yaml runs at 30,000 accesses per
 * vCPU at once took 12.57 and 12.40 s of user CPU, one alone 11.02 and 10.64 s
 * (before and after; a loaded machine, load average 2 to 5).
 */
export const CORUN_KERNEL_FACTOR = (12.57 + 12.4) / (11.02 + 10.64);

/** Standard deviation of the log of a 512-vCPU shard's per-window kernel CPU (robust, in process). */
export const KERNEL_NOISE_SIGMA = 0.26;

/**
 * Which windows a shard publishes and whom it waits for.
 * - `sparse`: a shard with neighbours publishes every window and waits for
 *   its in-neighbours; an isolated shard (no in- and no out-neighbours)
 *   publishes only at sync windows, checkpoint windows and when done;
 * - `every-window`: every shard publishes every window (commit 9734c8f), waits as above;
 * - `all-barrier`: every shard publishes every window and waits for every shard.
 */
export type ExchangeRule = 'sparse' | 'every-window' | 'all-barrier';

/** The rules of one shard: whether it publishes window `window`, and whether it then waits for every shard. */
export interface ShardRule {
  publishes(window: number, done: boolean): boolean;
  waitsAll(window: number, done: boolean): boolean;
}

/**
 * The exchange rules of shard `shard`: the code's own (barrier-need.protocol.ts
 * `publishesAt` and `barrierNeedOf`, over `shardLinksOf`) for `sparse`; for the
 * older rules, every shard publishes every window.
 */
export function shardRuleOf(
  n: ShardNeighbours,
  shard: number,
  rule: ExchangeRule,
  snapshotEveryWindows: number,
): ShardRule {
  const links = shardLinksOf(n, shard, snapshotEveryWindows);
  return {
    publishes: (w, done) => rule !== 'sparse' || publishesAt(links, w, done, snapshotEveryWindows),
    waitsAll: (w, done) => rule === 'all-barrier' || barrierNeedOf(links, w, done, snapshotEveryWindows).all,
  };
}
