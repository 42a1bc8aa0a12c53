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

/**
 * Parses export lines and re-runs the job's scenario in process with the
 * same shard count.
 * @throws IncompleteExportError at once, before running anything, if the job did not complete
 */
export async function replayExport(lines: Iterable<string>, onProgress?: (p: RunProgress) => void): Promise<ReplayResult> {
  let head: Extract<JobExportLine, { kind: 'job' }> | null = null;
  let expected: string | null = null;
  let state = 'running';
  for (const line of lines) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as JobExportLine;
    if (l.kind === 'job') head = l;
    else if (l.kind === 'result') { expected = l.digest; state = l.state; }
  }
  if (!head) throw new Error('not a tlbsim job export: no "job" line');
  if (expected === null) throw new IncompleteExportError(head.id, state);
  const report = await runInProcess(head.config, { shards: head.shards, onProgress });
  return { report, expected, matches: expected !== null && report.digest === expected };
}
