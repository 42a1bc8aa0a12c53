import { C, nominalRunNsOf, ShardSim, shardNeighboursOf, SimConfig } from '@tlbsim/sim-core';
import { accessesExpectedOf, accessesTotalOf, windowsExpectedOf } from '@tlbsim/contracts';
import { InMemoryTransport } from './in-memory.transport';
import { RunReport } from './report';
import { buildReport, mergePartials } from './run-result';
import { runShard } from './shard.runner';

/** Progress of an in-process run, reported every few windows. */
export interface RunProgress {
  window: number;
  windowsEstimate: number;
  accesses: number;
  accessesTotal: number;
}

/** Options of {@link runInProcess}. */
export interface RunInProcessOptions {
  /** Shards to split the actors into. @defaultValue `config.run.shards` */
  shards?: number;
  /** Progress callback. */
  onProgress?: (p: RunProgress) => void;
  /** Windows between progress reports (and yields to the event loop) at most. @defaultValue 256 */
  progressEveryWindows?: number;
  /**
   * Wall-clock ms between progress reports and yields at most, so a
   * progress bar (drawn on the event loop) moves several times a second
   * however long a window takes. @defaultValue 100
   */
  progressEveryMs?: number;
  /**
   * Asked after every window with the counters summed over shards (see
   * `C` of `@tlbsim/sim-core`); true stops the run there and the report
   * gets `stoppedAt` (see {@link stopAtViolation}).
   */
  stopWhen?: (counter: (slot: number) => number) => boolean;
  /**
   * Stop after this many windows (the report gets `stoppedAt`): the run a
   * cancelled or failed distributed job's partial report covers, with the
   * same digest. No limit when absent.
   */
  untilWindow?: number;
  /**
   * Called after every window of every shard with the messages its actors
   * sent in it (a view, valid only during the call: `ShardSim.lastSent`),
   * for tracing (`tlbsim run --trace-out`); it must not change them.
   */
  onSent?: (sent: Float64Array, window: number) => void;
  /**
   * Called after every window of every shard with its vCPU-local events
   * (sim-core local-events.ts: SMI, RSM, nested pairs with no L3 time;
   * recorded only when this is given), for tracing; the run is the same.
   */
  onLocalEvents?: (events: readonly number[], window: number) => void;
  /** Called with the shards once the run is over, before they are dropped (the bench reads their memory). */
  onFinished?: (shards: readonly ShardSim[]) => void;
}

/** Nominal number of windows of a scenario (no stalls). */
export function windowsEstimateOf(cfg: SimConfig, windowNs: number): number {
  return Math.ceil(nominalRunNsOf(cfg) / windowNs);
}

/**
 * Runs a scenario in this process: actors split into N shards that exchange
 * messages through an in-memory transport, exactly as distributed shards do
 * through Redis. The digest does not depend on N.
 */
export async function runInProcess(config: SimConfig, opts: RunInProcessOptions = {}): Promise<RunReport> {
  const n = opts.shards ?? config.run.shards;
  const shards = Array.from({ length: n }, (_, i) => new ShardSim(config, i, n));
  if (opts.onLocalEvents) for (const s of shards) s.traceLocalEvents();
  const stopWhen = opts.stopWhen;
  const total = (slot: number): number => shards.reduce((a, sh) => a + sh.counter(slot), 0);
  const until = opts.untilWindow;
  const stop =
    stopWhen || until !== undefined
      ? (window: number): boolean => (until !== undefined && window + 1 >= until) || (stopWhen?.(total) ?? false)
      : undefined;
  // Shards wait only for those that can send to them (and for all where the run may end).
  const transport = new InMemoryTransport(n, stop, shardNeighboursOf(config, n));
  const every = opts.progressEveryWindows ?? 256;
  const everyMs = opts.progressEveryMs ?? 100;
  let lastYieldMs = Date.now();
  const accessesTotal = accessesTotalOf(config);
  const windowsEstimate = windowsEstimateOf(config, shards[0].windowNs);
  const onWindow = async (s: ShardSim, window: number): Promise<void> => {
    opts.onSent?.(s.lastSent(), window);
    opts.onLocalEvents?.(s.lastLocalEvents(), window);
    // Wall time only decides when to yield, never what is simulated: the digest does not depend on it.
    // Any shard may yield: one that shares no host with the others runs ahead of them without waiting.
    if ((s.shard !== 0 || window % every !== every - 1) && Date.now() - lastYieldMs < everyMs) return;
    if (opts.onProgress) {
      const accesses = shards.reduce((a, sh) => a + sh.counter(C.accesses), 0);
      // The windows every shard has run (shards that share no host may be apart).
      const done = shards.reduce((a, sh) => Math.min(a, sh.window), Infinity);
      const total = accessesExpectedOf(config, accesses, done, windowsEstimate);
      opts.onProgress({
        window: done,
        windowsEstimate: windowsExpectedOf(config, accesses, done, windowsEstimate),
        accesses,
        accessesTotal: total,
      });
    }
    await new Promise((r) => setImmediate(r));
    lastYieldMs = Date.now();
  };
  const results = await Promise.all(shards.map((s) => runShard(s, transport, { onWindow })));
  const windows = results[0].windows;
  opts.onFinished?.(shards);
  const merged = mergePartials(
    results.map((r) => r.partial),
    config.run.witnessesMax,
  );
  const report = buildReport(config, merged, windows, shards[0].windowNs, n);
  if (transport.stoppedAfterWindow !== null)
    report.stoppedAt = { window: windows, simulatedNs: windows * shards[0].windowNs };
  const done = report.metrics.accesses;
  opts.onProgress?.({
    window: windows,
    windowsEstimate,
    accesses: done,
    accessesTotal: config.run.simulatedMs > 0 ? done : accessesTotal,
  });
  return report;
}
