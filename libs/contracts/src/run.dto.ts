import type { RunConfig, Placement } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/** Run knobs: sharding and reporting. Mirrors `RunConfig` of `@tlbsim/sim-core`. */
export class RunDto implements RunConfig {
  /**
   * Shards the actors are split into (never changes the result). Integer 1..1024.
   *
   * @defaultValue 1
   */
  @ScenarioField('run.shards')
  shards!: number;

  /**
   * Simulation window; 0 means the lookahead (the smallest latency). Integer 0..1e9.
   *
   * @defaultValue 0
   */
  @ScenarioField('run.windowNs')
  windowNs!: number;

  /**
   * Shards snapshot their actors every this many windows. Integer 1..1e6.
   * A snapshot costs about as much as a hundred windows of fleet.yaml's
   * work (it holds every TLB and partition cache; windows are one 2 us
   * lookahead), so 64 more than halved a distributed run's throughput; a
   * crashed shard redoes at most this many windows (512 x ~13 ms at 512
   * vCPUs per shard: about 7 s).
   *
   * @defaultValue 512
   */
  @ScenarioField('run.snapshotEveryWindows')
  snapshotEveryWindows!: number;

  /**
   * Witnesses (causal event chains) kept per run. Integer 0..1000.
   *
   * @defaultValue 10
   */
  @ScenarioField('run.witnessesMax')
  witnessesMax!: number;

  /**
   * Stop every vCPU at this simulated time in milliseconds (0: only `workload.accessesPerVcpu` ends the run). Number 0..600000.
   *
   * @defaultValue 0
   */
  @ScenarioField('run.simulatedMs')
  simulatedMs!: number;

  /**
   * Event rates run this many times faster than configured (a short run showing what takes seconds); every per-second figure is labelled compressed. Number 1..1000000.
   *
   * @defaultValue 1
   */
  @ScenarioField('run.timeCompression')
  timeCompression!: number;

  /**
   * Witnesses kept per violation class beyond `run.witnessesMax`, so every class that occurred has at least this many. Integer 0..100.
   *
   * @defaultValue 1
   */
  @ScenarioField('run.witnessesPerClass')
  witnessesPerClass!: number;

  /**
   * How actors are spread over shards: `block` or `round-robin`.
   *
   * @defaultValue 'block'
   */
  @ScenarioField('run.placement')
  placement!: Placement;

  /**
   * Fewest shards a distributed job may start with when fewer slots than `run.shards` are free (0: all of `run.shards`); it grows to `run.shards` as workers join. Never changes the result. Integer 0..1024.
   *
   * @defaultValue 0
   */
  @ScenarioField('run.minShards')
  minShards!: number;

  /**
   * Simulated milliseconds at the start that cost figures (time shares, rates, per-access cost, overhead) leave out; violations and witnesses still count the whole run (docs/costs.md). Number 0..600000.
   *
   * @defaultValue 0
   */
  @ScenarioField('run.warmupMs')
  warmupMs!: number;

  /**
   * Runs from seeds derived from `seed` (the first is `seed`) whose cost figures are reported as a mean with a 95% interval; `compare` gives every policy the same seeds (docs/costs.md). Integer 1..100.
   *
   * @defaultValue 1
   */
  @ScenarioField('run.replications')
  replications!: number;
}
