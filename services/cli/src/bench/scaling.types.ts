/**
 * The inputs and results of the exchange cost model (scaling.model.ts): its
 * costs, the jobs it runs and what it finds for them. Apart from the model so
 * the measured inputs (scaling.inputs.ts) and the checks that read the results
 * (scaling.projection.ts) can name them without depending on the event loop.
 */
import type { ShardNeighbours } from '@tlbsim/sim-core';
import type { ExchangeRule } from './scaling.inputs';

/** The cost inputs of the model (docs/scaling.md section 8 says where each comes from). */
export interface ExchangeCosts {
  /** Worker CPU per shard-window besides the kernel and the exchange (GC, bookkeeping), ms. */
  workerOverheadMsPerWindow: number;
  /** Worker CPU of one publish round trip (ioredis encode, socket, reply parse), ms. */
  clientMsPerPublish: number;
  /** Worker CPU per byte of batches sent, ns. */
  clientNsPerByteSent: number;
  /** Worker CPU per byte of batches received, ns. */
  clientNsPerByteReceived: number;
  /** Redis CPU of one publish pipeline of an isolated shard (script, XREAD or EXISTS, EXISTS, ZRANGEBYSCORE, HGET), µs. */
  redisUsPerPublish: number;
  /**
   * Redis CPU per out-neighbour of the publisher: the HINCRBY of its count of
   * the window, and the share of its readiness (HDEL, HSET, XADD of its ready
   * stream) once its last in-neighbour published (since 99d61da), µs.
   */
  redisUsPerOutNeighbour: number;
  /** Redis CPU per `pub:` lookup of the script: 2 per in-neighbour of the publisher (its own readiness and the pass check), µs. */
  redisUsPerLookup: number;
  /** Redis CPU per batch written (ZADD of a member), µs. */
  redisUsPerBatch: number;
  /** Redis CPU per byte of batches written (the publish's ZADDs, their AOF append), ns. */
  redisNsPerByteWritten: number;
  /** CPU of Redis's AOF rewrite children per byte of batches written (beside the Redis thread), ns. */
  redisChildNsPerByteWritten: number;
  /** Redis CPU per byte of batches read back (ZRANGEBYSCORE), ns. */
  redisNsPerByteRead: number;
  /** Redis CPU of serving a blocked read once its shards published, µs. */
  redisUsPerWake: number;
  /** Redis CPU per window a sparse publish covers beyond its own (HINCRBY of the window's count), µs. */
  redisUsPerSpanWindow: number;
  /** Redis CPU per MB of snapshot stored (SET of the staging key, the fenced rename), ms. */
  redisMsPerSnapshotMB: number;
  /**
   * CPU per MB of snapshot stored that runs beside the shard's thread and
   * Redis's main thread (Redis's AOF-rewrite children, the copies around the
   * write), ms; it takes a core only where Redis shares the workers' cores
   * (`sharedCores`). 0 in the inputs the model was built with.
   */
  snapshotChildMsPerMB: number;
  /** Worker CPU of taking and encoding one snapshot, per vCPU of the shard, ms. */
  snapshotClientMsPerVcpu: number;
  /** Snapshot size per vCPU of the shard, MB. */
  snapshotMBPerVcpu: number;
  /** Round trip between a worker and Redis (network and kernel, not Redis CPU), ms. */
  rttMs: number;
}

/** What one shard does per window. */
export interface ShardLoad {
  /** vCPUs the shard runs. */
  vcpus: number;
  /** Kernel CPU per window at the noise-free rate, ms. */
  kernelMsPerWindow: number;
  /** Bytes of batches the shard sends per window (to all its out-neighbours). */
  bytesOutPerWindow: number;
  /** Bytes of batches the shard receives per window. */
  bytesInPerWindow: number;
}

/** One job: its shards, their neighbour relation, its placement on workers and its Redis master. */
export interface JobModel {
  neighbours: ShardNeighbours;
  /** Per shard (same length as `neighbours.shards`). */
  loads: readonly ShardLoad[];
  /** Windows of the run. */
  windows: number;
  /** The job's simulated accesses (for the rate). */
  accesses: number;
  /** `run.snapshotEveryWindows`. @defaultValue the scenario default (`SCENARIO_DEFAULTS`) */
  snapshotEveryWindows?: number;
  /** Shards sharing one worker core (shard i runs on core floor(i / S)). @defaultValue 1 */
  shardsPerWorker?: number;
  /** The Redis master (index into the masters) the job's slot is on. @defaultValue 0 */
  master?: number;
}

/** A run of the model: jobs sharing Redis masters, each on its own worker cores. */
export interface ModelInput {
  jobs: readonly JobModel[];
  costs: ExchangeCosts;
  rule: ExchangeRule;
  /** Redis masters. @defaultValue 1 */
  masters?: number;
  /** Standard deviation of the log of the per-window kernel time factor (mean 1). @defaultValue 0 */
  noiseSigma?: number;
  /** Seed of the noise streams. @defaultValue 1 */
  seed?: number;
  /** Kernel time factor of every job's first worker core (a straggler), 1 = none. @defaultValue 1 */
  slowWorkerFactor?: number;
  /**
   * Cores the worker cores and Redis share (this 2-core machine: 2): Redis
   * CPU served while that many worker cores are busy is taken from one of
   * them (charged to its next task). @defaultValue undefined (Redis has cores of its own)
   */
  sharedCores?: number;
  /** A shard waits for its snapshot's write (9734c8f) or runs on (since 697b48b). @defaultValue true */
  snapshotAwaited?: boolean;
}

/** What the model finds for one job. */
export interface JobResult {
  wallMs: number;
  msPerWindow: number;
  accessesPerSec: number;
  /** Exchange round trips (publishes, and the reads behind them) per shard-window. */
  roundTripsPerShardWindow: number;
  /** Time shards waited after publishing, with the round trip (as the bench counts it) / (shards x wall). */
  barrierWaitShare: number;
  /** Busiest worker core's CPU / wall: 1 is compute-bound. */
  workerUtilisationMax: number;
  /** Wall time if the exchange cost nothing: the busiest core's CPU, ms. */
  computeBoundMs: number;
  /** Redis CPU this job used, ms. */
  redisBusyMs: number;
}

/** What the model finds: per job, and the utilisation of each Redis master over the longest job. */
export interface ModelResult {
  jobs: JobResult[];
  redisUtilisation: number[];
}
