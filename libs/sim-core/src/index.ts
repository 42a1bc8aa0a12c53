export * from './config';
export * from './counters';
export * from './costs';
export * from './message';
export * from './policy';
export * from './prng';
export * from './shard';
export * from './local-events';
export * from './tlb';
export * from './topology';
export { FLUSH_KIND_NAMES } from './flush-kind';
export { partitionCacheEntriesOf, PARTITION_CACHE_WAYS } from './partition-cache';
export { gpaOfGva, gpaShiftOf } from './guest-memory';
export { VIOLATION_CLASSES, hpaHex } from './violation.checker';
export type { ViolationClass, WitnessRecord } from './violation.checker';
export type {
  WitnessEvent,
  WitnessFreeTiming,
  WitnessRemoteFlush,
  WitnessTask,
  WitnessTranslation,
} from './witness.events';
export { repartitionSnapshots } from './shard.repartition';
export type { ShardPartial, ShardSnapshot } from './shard.snapshot';
export * from './message.schema';
export { assert, kernelChecks } from './assert';
export { accessLoopSwitches } from './way-hints';
export { KernelAssertionError } from './kernel-assertion.error';
export { SNAPSHOT_LAYOUT } from './snapshot-layout';
export { COVERAGE_ACCESSES_PER_VCPU_MIN } from './coverage';
export { SnapshotLayoutError } from './snapshot-layout.error';
export {
  allShardNeighbours,
  checkOutbound,
  hostShardsOf,
  NEIGHBOUR_LOOKAHEAD_WINDOWS,
  shardNeighboursOf,
} from './shard-neighbours';
export type { ShardNeighbours } from './shard-neighbours';
export type { SaveOptions } from './save-options';
