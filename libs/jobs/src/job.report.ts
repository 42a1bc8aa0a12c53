import { buildReport, mergePartials, RunReport } from '@tlbsim/engine';
import { windowNsOf } from '@tlbsim/sim-core';
import type { ShardOutcome } from './job-finalizer.service';
import type { JobMeta } from './job.repository';

/**
 * The report of a job whose every shard stored its outcome (JSON by shard),
 * built with the same functions as `tlbsim run`, so the digest is the same;
 * null while a shard is missing. Throws if the shards disagree on the
 * window count (they barrier every window: a protocol bug).
 */
export function reportOfPartials(
  meta: JobMeta,
  parts: ReadonlyMap<number, string>,
): { report: RunReport; outcomes: ShardOutcome[] } | null {
  if (parts.size !== meta.shards) return null;
  const outcomes = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => JSON.parse(v) as ShardOutcome);
  const windows = outcomes[0].windows;
  if (outcomes.some((o) => o.windows !== windows))
    throw new Error(`job ${meta.id}: shards disagree on the window count`);
  const cfg = meta.config;
  const merged = mergePartials(
    outcomes.map((o) => o.partial),
    cfg.run.witnessesMax,
  );
  return { report: buildReport(cfg, merged, windows, windowNsOf(cfg), meta.shards), outcomes };
}
