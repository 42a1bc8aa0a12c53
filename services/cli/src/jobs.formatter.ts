import { jobHasRun, JobView } from '@tlbsim/contracts';
import { alignPairs, fmtInt } from './format.util';

/** Seconds as `42s`, `5m`, `3h`, `2d`: a job's age at a glance. */
export function fmtAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * A job's violations as the CLI and the dashboard show them: `not run` for
 * a job none of whose shards ran a window (it is waiting, or was cancelled
 * before it started), else the job view's count (a cancelled or failed
 * job's is its partial report's).
 */
export function violationsText(view: JobView): string {
  return jobHasRun(view) ? fmtInt(view.violations) : 'not run';
}

/** The progress column: percent done, or the state's own word when it says more. */
function progressText(view: JobView): string {
  if (view.state === 'completed') return '100%';
  if (!jobHasRun(view)) return '-';
  return `${(view.progress.fraction * 100).toFixed(1)}%`;
}

/** Columns of `tlbsim jobs`, in order. */
export const JOBS_COLUMNS = ['ID', 'NAME', 'STATE', 'SHARDS', 'PROGRESS', 'VIOLATIONS', 'AGE'] as const;

/** The `tlbsim jobs` table: a header row, one row per job (newest first), then the count. */
export function formatJobs(views: readonly JobView[], total: number, nowMs: number): string {
  const rows: string[][] = [
    [...JOBS_COLUMNS],
    ...views.map((v) => [
      v.id,
      v.name,
      v.state,
      String(v.shards),
      progressText(v),
      violationsText(v),
      fmtAge((nowMs - Date.parse(v.createdAt)) / 1000),
    ]),
  ];
  const widths = JOBS_COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const right = new Set([3, 4, 5, 6]);
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  const more = total > views.length ? ` (showing ${views.length}; --limit shows more)` : '';
  return `${lines.join('\n')}\n${total} job${total === 1 ? '' : 's'}${more}\n`;
}

/** `tlbsim status <job>`: the job view as labelled lines. */
export function formatStatus(v: JobView, nowMs: number): string {
  const p = v.progress;
  const pairs: [string, string][] = [
    ['name', v.name],
    ['state', v.state + (v.error ? `: ${v.error}` : '')],
    ['policy', `${v.policy}, seed ${v.seed}`],
    ...(v.overrides?.length ? [['overrides', v.overrides.join(' ')] as [string, string]] : []),
    ['shards', v.perShard.map((s) => `${s.shard}:${s.state}@${s.window}`).join(' ') || String(v.shards)],
    [
      'progress',
      jobHasRun(v)
        ? `${(p.fraction * 100).toFixed(1)}%, window ${fmtInt(p.windows)}/${fmtInt(p.windowsEstimate)}, ${fmtInt(p.accesses)}/${fmtInt(p.accessesTotal)} accesses${p.etaSec !== null && v.state === 'running' ? `, ETA ${fmtAge(p.etaSec)}` : ''}`
        : 'not run',
    ],
    ['violations', violationsText(v)],
    ['age', fmtAge((nowMs - Date.parse(v.createdAt)) / 1000)],
  ];
  if (v.slots) pairs.push(['slots', `needs ${v.slots.needed}, ${v.slots.live} live, ${v.slots.free} free`]);
  if (v.digest) pairs.push(['digest', v.digest]);
  if (v.partialWindows !== null)
    pairs.push(['partial', `report of its first ${fmtInt(v.partialWindows)} windows (tlbsim wait ${v.id} prints it)`]);
  return `job ${v.id}\n${alignPairs(pairs).join('\n')}\n`;
}
