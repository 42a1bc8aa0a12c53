import { RunReport, runInProcess, RunProgress } from '@tlbsim/engine';
import { IncompleteExportError } from './incomplete-export.error';
import type { JobExportLine } from './job.export';

/** The outcome of replaying an export. */
export interface ReplayResult {
  report: RunReport;
  /** The digest recorded in the export (null if the job had not completed). */
  expected: string | null;
  matches: boolean;
}

/** Options of {@link replayExport}. */
export interface ReplayExportOptions {
  onProgress?: (p: RunProgress) => void;
  /**
   * Stop after this many windows and compare with the digest of the
   * export's partial report (a cancelled or failed job's), whose
   * `metrics.windows` it must equal.
   */
  untilWindow?: number;
}

/**
 * Parses export lines and re-runs the job's scenario in process with the
 * same shard count (up to `untilWindow` windows for a partial report).
 * @throws IncompleteExportError at once, before running anything, if the job
 * did not complete and `untilWindow` is not its partial report's window count
 */
export async function replayExport(lines: Iterable<string>, opts: ReplayExportOptions = {}): Promise<ReplayResult> {
  let head: Extract<JobExportLine, { kind: 'job' }> | null = null;
  let result: Extract<JobExportLine, { kind: 'result' }> | null = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as JobExportLine;
    if (l.kind === 'job') head = l;
    else if (l.kind === 'result') result = l;
  }
  if (!head) throw new Error('not a tlbsim job export: no "job" line');
  const state = result?.state ?? 'running';
  const partial = result?.report?.partial ? result.report : null;
  const { untilWindow } = opts;
  let expected = result?.digest ?? null;
  if (untilWindow !== undefined || expected === null) {
    const windows = partial ? partial.metrics.windows : null;
    if (untilWindow === undefined || windows !== untilWindow)
      throw new IncompleteExportError(head.id, state, windows, untilWindow);
    expected = partial!.digest;
  }
  const report = await runInProcess(head.config, { shards: head.shards, onProgress: opts.onProgress, untilWindow });
  return { report, expected, matches: report.digest === expected };
}
