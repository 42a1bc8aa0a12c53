import { streamSeed } from '@tlbsim/sim-core';

/** Salt of the replication seeds, apart from every actor stream of the kernel. */
const REPLICATION_SALT = 23;

/**
 * The seeds of `n` replications of a scenario with seed `seed`: the seed
 * itself, then seeds derived from it and the replication number (so one
 * replication gives today's run, and a list is reproducible from the
 * scenario alone). Within the scenario's seed limit (0..2^32-1). `run`,
 * `compare` and `sweep` (`--replications`, `run.replications`) all use it.
 */
export function replicationSeeds(seed: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? seed : streamSeed(seed, i, REPLICATION_SALT)));
}
