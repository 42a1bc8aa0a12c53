import {
  accessesExpectedOf,
  isFinalJobState,
  windowsExpectedOf,
  JobEvent,
  JobProgress,
  JobSlots,
  JobState,
  JobView,
  ShardView,
} from '@tlbsim/contracts';
import { windowNsOf } from '@tlbsim/sim-core';
import type { JobMeta } from './job.repository';

interface ShardAcc extends ShardView {
  accesses: number;
  violations: number;
}

/** True for completed, failed and cancelled ({@link FINAL_JOB_STATES}). */
export const isFinal: (state: JobState) => boolean = isFinalJobState;

/** Applies one event to the per-shard views. */
function applyShard(shards: ShardAcc[], e: JobEvent): void {
  const s = e.shard === undefined ? undefined : shards[e.shard];
  if (!s) return;
  if (e.type === 'shard-started' || e.type === 'shard-resumed') {
    s.state = 'running';
    s.worker = e.worker ?? s.worker;
    if (e.type === 'shard-resumed') s.resumes++;
    if (e.window !== undefined) s.window = e.window;
  } else if (e.type === 'window-completed') {
    s.window = e.window !== undefined ? e.window + 1 : s.window;
    s.accesses = e.accesses ?? s.accesses;
    s.violations = e.violations ?? s.violations;
  } else if (e.type === 'shard-failed') {
    s.state = 'failed';
  } else if (e.type === 'shard-completed') {
    s.state = 'completed';
    if (e.window !== undefined) s.window = e.window;
  }
}

/** The state after an event, from the state before it. */
function nextState(state: JobState, e: JobEvent): JobState {
  if (isFinal(state)) return state;
  switch (e.type) {
    case 'waiting-for-workers':
      return state === 'running' ? state : 'waiting-for-workers';
    case 'shard-started':
    case 'shard-resumed':
    case 'window-completed':
      return 'running';
    case 'resized':
      return 'queued';
    default:
      return isFinalJobState(e.type) ? e.type : state;
  }
}

function progressOf(
  meta: JobMeta,
  shards: ShardAcc[],
  startedAt: string | null,
  lastAt: string | null,
  state: JobState,
): JobProgress {
  const accesses = shards.reduce((a, s) => a + s.accesses, 0);
  const windows = shards.length ? Math.min(...shards.map((s) => s.window)) : 0;
  // A run that ends at run.simulatedMs makes far fewer accesses than accessesPerVcpu allows: extrapolate from its windows.
  const expected =
    state === 'completed' ? accesses : accessesExpectedOf(meta.config, accesses, windows, meta.windowsEstimate);
  const fraction = state === 'completed' ? 1 : Math.min(1, expected > 0 ? accesses / expected : 0);
  const elapsed = startedAt && lastAt ? (Date.parse(lastAt) - Date.parse(startedAt)) / 1000 : 0;
  const accessesPerSec = elapsed > 0 ? accesses / elapsed : 0;
  const etaSec = isFinal(state) ? 0 : accessesPerSec > 0 ? Math.max(0, (expected - accesses) / accessesPerSec) : null;
  // Stalls make a run take more windows than nominal: the shards' bars follow the accesses.
  const windowsEstimate =
    state === 'completed'
      ? Math.max(windows, 1)
      : windowsExpectedOf(meta.config, accesses, windows, meta.windowsEstimate);
  return { windows, windowsEstimate, accesses, accessesTotal: expected, fraction, accessesPerSec, etaSec };
}

/**
 * The running fold of a job's events: everything the view needs, so a view
 * can be brought up to date with only the events appended since.
 */
export interface JobFold {
  /** Stream id of the last event folded in, or null. */
  lastEventId: string | null;
  shards: ShardAcc[];
  state: JobState;
  startedAt: string | null;
  finishedAt: string | null;
  lastAt: string | null;
  digest: string | null;
  error: string | null;
  slotsNeeded: number | null;
  /** The slots of the last `waiting-for-workers` event. */
  slots: JobSlots | null;
  /** Windows of a cancelled or failed job's partial report, if it has one. */
  partialWindows: number | null;
  /**
   * The violations of the job's report (completed) or partial report
   * (cancelled, failed), from its final event: the one count the view, the
   * report and the dashboard show once the job is over. Null before, or for
   * a job finished by an older build (the shards' last counts then).
   */
  reportViolations?: number | null;
}

/** The fold of a job with no events yet. */
export function emptyFold(meta: JobMeta): JobFold {
  return {
    lastEventId: null,
    shards: Array.from({ length: meta.shards }, (_, shard) => ({
      shard,
      state: 'queued',
      window: 0,
      worker: null,
      resumes: 0,
      accesses: 0,
      violations: 0,
    })),
    state: 'queued',
    startedAt: null,
    finishedAt: null,
    lastAt: null,
    digest: null,
    error: null,
    slotsNeeded: null,
    slots: null,
    partialWindows: null,
  };
}

/**
 * The per-shard views after a resize to `shards` from `window` on: shard 0
 * carries the counts so far (the re-partitioned job's shard 0 holds the
 * summed counters, so its later events report them).
 */
function resizedShards(old: readonly ShardAcc[], shards: number, window: number): ShardAcc[] {
  const accesses = old.reduce((a, s) => a + s.accesses, 0);
  const violations = old.reduce((a, s) => a + s.violations, 0);
  return Array.from({ length: shards }, (_, shard) => ({
    shard,
    state: 'queued',
    window,
    worker: null,
    resumes: 0,
    accesses: shard === 0 ? accesses : 0,
    violations: shard === 0 ? violations : 0,
  }));
}

/** Folds events (oldest first) into `f`, in place; returns it. */
export function foldEvents(f: JobFold, events: readonly JobEvent[]): JobFold {
  for (const e of events) {
    if (e.type === 'resized' && e.shards !== undefined && !isFinal(f.state))
      f.shards = resizedShards(f.shards, e.shards, e.window ?? 0);
    if (!isFinal(f.state)) applyShard(f.shards, e);
    f.state = nextState(f.state, e);
    if (e.type === 'shard-started' && !f.startedAt) f.startedAt = e.at;
    if (e.type === 'window-completed' || e.type === 'shard-completed') f.lastAt = e.at;
    if (e.type === 'waiting-for-workers') {
      f.slotsNeeded = e.slotsNeeded ?? null;
      f.slots = { needed: e.slotsNeeded ?? 0, live: e.slotsLive ?? e.slotsFree ?? 0, free: e.slotsFree ?? 0 };
    }
    if (e.type === 'shard-started') f.slotsNeeded = null;
    if (isFinalJobState(e.type) && !f.finishedAt) {
      if (e.type !== 'completed') {
        f.partialWindows = e.window ?? null;
        for (const s of f.shards) if (s.state === 'running' || s.state === 'queued') s.state = 'stopped';
      }
      f.finishedAt ??= e.at;
      f.reportViolations ??= e.violations ?? null;
      f.digest ??= e.digest ?? null;
      f.error ??= e.error ?? null;
    }
    f.lastEventId = e.id;
  }
  return f;
}

/** The view of a folded job. */
export function viewOf(meta: JobMeta, f: JobFold): JobView {
  const { shards, state } = f;
  return {
    id: meta.id,
    name: meta.name,
    policy: meta.policy,
    seed: meta.seed,
    state,
    shards: meta.shards,
    groupId: meta.groupId,
    createdAt: meta.createdAt,
    startedAt: f.startedAt,
    finishedAt: f.finishedAt,
    progress: progressOf(meta, shards, f.startedAt, f.lastAt ?? f.finishedAt, state),
    violations: f.reportViolations ?? shards.reduce((a, s) => a + s.violations, 0),
    perShard: shards.map(({ accesses: _a, violations: _v, ...v }) => ({ ...v })),
    digest: f.digest,
    error: f.error,
    slotsNeeded: state === 'waiting-for-workers' ? f.slotsNeeded : null,
    slots: isFinal(state) ? null : { needed: meta.shards, live: f.slots?.live ?? 0, free: f.slots?.free ?? 0 },
    partialWindows: f.partialWindows,
    windowNs: windowNsOf(meta.config),
    ...(meta.overrides?.length ? { overrides: meta.overrides } : {}),
    ...(meta.groupIndex !== undefined ? { groupIndex: meta.groupIndex } : {}),
  };
}

/**
 * The job as the API shows it: a pure fold of its events over its
 * metadata. Replaying the same events always gives the same view.
 */
export function projectJob(meta: JobMeta, events: JobEvent[]): JobView {
  return viewOf(meta, foldEvents(emptyFold(meta), events));
}
