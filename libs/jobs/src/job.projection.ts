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
  /**
   * `at` of the shard's last `shard-resumed`. A lost reply makes ioredis send
   * the append again and Redis apply it twice (test/faults/flaky-link):
   * the copy is the same event, `at` (the writer's clock, in ms) included,
   * while a real second resume is written after another claim, later.
   */
  resumedAt?: string;
}

/** True for completed, failed and cancelled ({@link FINAL_JOB_STATES}). */
export const isFinal: (state: JobState) => boolean = isFinalJobState;

/** Applies one event to the per-shard views (events of no shard, or of an unknown one, change nothing). */
function applyShard(shards: ShardAcc[], e: JobEvent): void {
  const s = 'shard' in e ? shards[e.shard] : undefined;
  if (!s) return;
  switch (e.type) {
    case 'shard-started':
    case 'shard-resumed':
      s.state = 'running';
      s.worker = e.worker;
      if (e.type === 'shard-resumed' && e.at !== s.resumedAt) {
        s.resumes++;
        s.resumedAt = e.at;
      }
      s.window = e.window;
      break;
    case 'window-completed':
      s.window = e.window + 1;
      s.accesses = e.accesses;
      s.violations = e.violations;
      break;
    case 'shard-failed':
      s.state = 'failed';
      break;
    case 'shard-completed':
      s.state = 'completed';
      s.window = e.window;
      break;
  }
}

/** The state after an event, from the state before it; every event type is named, so a new one fails tsc here. */
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
    case 'completed':
    case 'failed':
    case 'cancelled':
      return e.type;
    case 'submitted':
    case 'shard-failed':
    case 'shard-completed':
    case 'resize-requested':
      return state;
    default: {
      const unknownType: never = e;
      return unknownType;
    }
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
    if (e.type === 'resized' && !isFinal(f.state)) f.shards = resizedShards(f.shards, e.shards, e.window);
    if (!isFinal(f.state)) applyShard(f.shards, e);
    f.state = nextState(f.state, e);
    foldJobFields(f, e);
    f.lastEventId = e.id;
  }
  return f;
}

/** Folds what an event says of the whole job (its times, slots and end) into `f`. */
function foldJobFields(f: JobFold, e: JobEvent): void {
  switch (e.type) {
    case 'shard-started':
      f.startedAt ??= e.at;
      f.slotsNeeded = null;
      break;
    case 'window-completed':
    case 'shard-completed':
      f.lastAt = e.at;
      break;
    case 'waiting-for-workers':
      f.slotsNeeded = e.slotsNeeded;
      f.slots = { needed: e.slotsNeeded, live: e.slotsLive ?? e.slotsFree, free: e.slotsFree };
      break;
    case 'completed':
      if (f.finishedAt) break;
      f.finishedAt = e.at;
      f.reportViolations ??= e.violations ?? null;
      f.digest ??= e.digest;
      break;
    case 'failed':
    case 'cancelled':
      if (f.finishedAt) break;
      // `window` here counts the windows of the job's partial report, not a shard's window.
      f.partialWindows = e.window ?? null;
      for (const s of f.shards) if (s.state === 'running' || s.state === 'queued') s.state = 'stopped';
      f.finishedAt = e.at;
      f.reportViolations ??= e.violations ?? null;
      if (e.type === 'failed') f.error ??= e.error;
      break;
  }
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
    perShard: shards.map(({ accesses: _a, violations: _v, resumedAt: _r, ...v }) => ({ ...v })),
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
