import Table from 'cli-table3';
import type { SweepSummaryRow } from '@tlbsim/contracts';
import { fmtEstimate, fmtPercentEstimate } from './estimate.formatter';
import { fmtInt } from './format.util';

/** What {@link formatSweepSummary} reads of a sweep result. */
interface SummaryInput {
  gridKeys: string[];
  policies: string[];
  seeds: number;
  summary: SweepSummaryRow[];
}

/**
 * The summary table of a sweep with several seeds per point: per grid point
 * and policy, the headline (vCPU time per access and its overhead against
 * the first policy, paired by seed) with 95% intervals, `*` on an overhead
 * that is not converged and why below. Empty with one seed per point.
 */
export function formatSweepSummary(result: SummaryInput): string {
  if (result.seeds <= 1 || result.summary.length === 0) return '';
  const base = result.policies[0] ?? 'first';
  const table = new Table({
    head: [
      ...result.gridKeys,
      'policy',
      'seeds',
      'violations',
      'vCPU ns/access',
      `vCPU time vs ${base}`,
      'hypercall stalls %',
      'L0 busy %',
    ],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const notes: string[] = [];
  for (const s of result.summary) {
    const overhead =
      s.policy === base ? 'baseline' : s.timeOverheadVsFirst ? fmtPercentEstimate(s.timeOverheadVsFirst) : '-';
    if (!s.converged)
      notes.push(
        `* not converged: ${[...result.gridKeys.map((k) => `${k}=${s.grid[k]}`), s.policy].join(' ')}: ${s.reason}`,
      );
    table.push([
      ...result.gridKeys.map((k) => String(s.grid[k] ?? '')),
      s.policy,
      String(s.seeds.length),
      fmtInt(s.violations),
      fmtEstimate(s.timePerAccessNs, 2),
      `${overhead}${s.converged ? '' : ' *'}`,
      fmtEstimate(s.hypercallStallsPercent, 2),
      fmtEstimate(s.l0BusyPercent, 2),
    ]);
  }
  const title = `over the ${result.seeds} seeds of each point (± a 95% interval, Student's t; overheads paired by seed)`;
  return `${title}\n${table.toString()}\n${notes.map((n) => `${n}\n`).join('')}`;
}
