import { deserialize, serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { TransportStats } from './redis.transport';

/** A stored snapshot: the kernel's state plus the transport counts at that point. */
export interface StoredSnapshot {
  sim: ShardSnapshot;
  stats: TransportStats;
  /**
   * The shard had published its last window (`sim.window - 1`) but left
   * before that window's barrier passed (a stopping worker): the resumed
   * shard waits for that barrier first and counts its batches as received.
   */
  atBarrier?: boolean;
}

/** The bytes stored under a shard's snapshot key (v8 serialization: typed arrays and Maps survive). */
export function encodeSnapshot(s: StoredSnapshot): Buffer {
  return serialize(s);
}

/** The inverse of {@link encodeSnapshot}. */
export function decodeSnapshot(bytes: Buffer): StoredSnapshot {
  return deserialize(bytes) as StoredSnapshot;
}
