/** A job waiting for admission, as {@link planAdmission} sees it. */
export interface WaitingJob {
  id: string;
  /** Submission time: FIFO order, and "later" for the overtaking bound. */
  createdAtMs: number;
  /** Shards it runs on when there is room (its current shard count). */
  shards: number;
  /** Fewest shards it may start with (`run.minShards`; equal to `shards` when it cannot start smaller). */
  minShards: number;
}

/** An admitted job holding slots. */
export interface RunningJob {
  id: string;
  createdAtMs: number;
  slots: number;
}

/** What one admission pass does. */
export interface AdmissionPlan {
  /** Jobs to start now, with the shards each starts with. */
  admit: { id: string; shards: number }[];
  /** Jobs that keep waiting, with the slots each needs at least. */
  waiting: { id: string; needed: number }[];
}

/**
 * Gang admission with conservative backfill. Jobs are taken oldest first;
 * each starts with all its shards if they fit in the free slots, else with
 * as many as are free if that is at least its `minShards`, else it waits.
 * A later job may start while an earlier one waits (backfill) only if, for
 * every earlier waiting job W, either W needs more slots than the live
 * workers have at all (it cannot start before workers join anyway), or the
 * jobs younger than W holding slots, this one included, fit in the slots W
 * can never use (`capacity - needed(W)`). So once the live workers can hold
 * W, jobs that overtook it never hold a slot it needs beyond those already
 * running: W starts as soon as the jobs running at that moment leave it
 * room, and no later job delays it.
 */
export function planAdmission(
  pending: readonly WaitingJob[],
  running: readonly RunningJob[],
  capacity: number,
): AdmissionPlan {
  const held = [...running];
  let reserved = held.reduce((a, r) => a + r.slots, 0);
  const plan: AdmissionPlan = { admit: [], waiting: [] };
  const blockers: { createdAtMs: number; needed: number }[] = [];
  const younger = (t: number): number => held.reduce((a, r) => a + (r.createdAtMs > t ? r.slots : 0), 0);
  for (const job of pending) {
    const free = Math.max(0, capacity - reserved);
    const needed = Math.min(job.shards, Math.max(1, job.minShards));
    const shards = free >= job.shards ? job.shards : free >= needed ? free : 0;
    const fair = blockers.every((b) => b.needed > capacity || younger(b.createdAtMs) + shards <= capacity - b.needed);
    if (shards === 0 || !fair) {
      plan.waiting.push({ id: job.id, needed });
      blockers.push({ createdAtMs: job.createdAtMs, needed });
      continue;
    }
    plan.admit.push({ id: job.id, shards });
    held.push({ id: job.id, createdAtMs: job.createdAtMs, slots: shards });
    reserved += shards;
  }
  return plan;
}
