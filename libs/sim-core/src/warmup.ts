import type { SimConfig } from './config';
import { windowNsOf } from './series';

/**
 * The window at whose end a shard copies its counters for the warm-up
 * (`run.warmupMs` rounded up to whole windows), or 0 for no warm-up. The
 * copy is taken once per run at a window boundary, never in the access
 * loop, and is not part of the digest: the engine subtracts it from the
 * final counters so that cost figures leave the warm-up out
 * (libs/engine/src/warmup.ts, docs/costs.md "Warm-up").
 */
export function warmupWindowOf(cfg: SimConfig): number {
  const ms = cfg.run.warmupMs ?? 0;
  return ms > 0 ? Math.ceil((ms * 1e6) / windowNsOf(cfg)) : 0;
}
