import { nominalRunNsOf, ShardPartial, ShardSim } from '@tlbsim/sim-core';
import { ExchangeResult, ShardTransport } from './transport';

/** Options of {@link runShard}. */
export interface RunShardOptions {
  /** Called after every window's exchange. */
  onWindow?: (shard: ShardSim, window: number, allDone: boolean) => void | Promise<void>;
  /** Inbound of the first window to run (a resumed shard's stored messages). @defaultValue [] */
  inbound?: Float64Array[];
  /** Stop with an error after this many windows. @defaultValue {@link windowsMaxOf} */
  windowsMax?: number;
  /**
   * A resumed shard that had published its last window but stopped before
   * that window's barrier passed: waits for that barrier (instead of running
   * a window) first.
   */
  pendingBarrier?: () => Promise<ExchangeResult>;
}

/** A generous bound on windows: a hundred times the nominal run (or `run.simulatedMs`) plus slack. */
export function windowsMaxOf(shard: ShardSim): number {
  // Time is cost: walks, exits and waits can make a run many times its nominal length.
  return Math.ceil(nominalRunNsOf(shard.cfg, 100) / shard.windowNs) + 1000000;
}

/**
 * Runs one shard to the end of the job: window, exchange (the barrier),
 * repeat until every shard reported done. Used in-process and by workers.
 * @returns the shard's partial result and the number of windows run.
 */
export async function runShard(
  shard: ShardSim,
  transport: ShardTransport,
  opts: RunShardOptions = {},
): Promise<{ partial: ShardPartial; windows: number }> {
  let inbound = opts.inbound ?? [];
  const max = opts.windowsMax ?? windowsMaxOf(shard);
  let pending = opts.pendingBarrier;
  for (;;) {
    let window: number;
    let r: ExchangeResult;
    if (pending) {
      window = shard.window - 1;
      r = await pending();
      pending = undefined;
    } else {
      const out = shard.runWindow(inbound);
      window = out.window;
      r = await transport.exchange(shard.shard, out.window, out.outbound, out.done);
    }
    await opts.onWindow?.(shard, window, r.allDone);
    if (r.allDone) return { partial: shard.partial(), windows: window + 1 };
    if (shard.window >= max) throw new Error(`run did not finish within ${max} windows (seed ${shard.cfg.seed})`);
    inbound = r.inbound;
  }
}
