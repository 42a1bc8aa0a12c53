import Table from 'cli-table3';
import { cheapestCorrect, overheadVsFirst, RunReport, timeOverheadVsFirst, timePerAccessNs } from '@tlbsim/engine';
import { fmtFixed, fmtInt } from './format.util';
import { violationClasses, violationCount } from './report.formatter';

/** The compare figures live in `@tlbsim/engine` (one place for the CLI and the coordinator); re-exported for the CLI's callers. */
export { cheapestCorrect, overheadVsFirst, timeOverheadVsFirst, timePerAccessNs };

/** What `tlbsim compare --json` prints. */
export interface ComparisonResult {
  scenario: string;
  seed: number;
  policies: string[];
  reports: RunReport[];
  /** Per policy: cycles per access relative to the first policy, in percent (first is 0). */
  overheadVsFirst: number[];
  /**
   * Per policy: vCPU time per guest access relative to the first policy, in
   * percent (first is 0): what the policy costs in time, L0 queueing and
   * interrupted VPs included (time is cost, docs/costs.md).
   */
  timeOverheadVsFirst: number[];
  /** The policy with no violation whose vCPU time per guest access is lowest, or null. */
  cheapestCorrect: string | null;
}

/** Builds the `--json` object of `tlbsim compare`. */
export function comparisonResult(reports: RunReport[]): ComparisonResult {
  const first = reports[0];
  return {
    scenario: first?.scenario ?? '',
    seed: first?.seed ?? 0,
    policies: reports.map((r) => r.policy),
    reports,
    overheadVsFirst: overheadVsFirst(reports),
    timeOverheadVsFirst: timeOverheadVsFirst(reports),
    cheapestCorrect: cheapestCorrect(reports),
  };
}

/** `+12.3%` / `-4.0%` / `baseline`. */
function signedPercent(value: number, index: number): string {
  if (index === 0) return 'baseline';
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

/** Row label and the value of each report. */
type Row = [string, ...string[]];

/** The rows of the comparison table. */
function rows(reports: readonly RunReport[]): Row[] {
  const each = (label: string, f: (r: RunReport) => string): Row => [label, ...reports.map(f)];
  const overhead = overheadVsFirst(reports);
  const classes = reports.length > 0 ? violationClasses(reports[0]) : [];
  return [
    each('violations', (r) => fmtInt(r.violations.total)),
    ...classes.map((c) => each(`  ${c}`, (r) => fmtInt(violationCount(r, c)))),
    each('hypercalls: GPA space', (r) => fmtInt(r.metrics.hypercalls.flushGuestPhysicalAddressSpace)),
    each('hypercalls: GPA list', (r) => fmtInt(r.metrics.hypercalls.flushGuestPhysicalAddressList)),
    each('shootdown messages', (r) => fmtInt(r.metrics.shootdownMessages)),
    each('TLB misses', (r) => fmtInt(r.metrics.tlb.misses)),
    each('nested walks', (r) => fmtInt(r.metrics.nestedWalks)),
    each('cycles / access', (r) => fmtFixed(r.metrics.cycles.perAccess)),
    [`overhead vs ${reports[0]?.policy ?? 'first'}`, ...overhead.map(signedPercent)],
    each('vCPU time / access (ns)', (r) => fmtFixed(timePerAccessNs(r))),
    [`vCPU time vs ${reports[0]?.policy ?? 'first'}`, ...timeOverheadVsFirst(reports).map(signedPercent)],
    each('hypercall stalls (% of time)', (r) => fmtFixed(r.metrics.time.percent.hypercallStalls)),
    each('L0 busy (%)', (r) => fmtFixed(r.metrics.l0.busyPercent)),
    each(
      `hypercalls / host / s${reports[0]?.metrics.rates.compressed ? ` (compressed x${reports[0].metrics.rates.timeCompression})` : ''}`,
      (r) => fmtInt(Math.round(r.metrics.rates.hypercallsPerHostPerSec.achieved)),
    ),
    each('digest', (r) => r.digest.slice(0, 12)),
  ];
}

/**
 * Renders reports of the same scenario under different policies side by side
 * (one column per policy) as a text table. Pure; ends with a newline.
 */
export function formatComparison(reports: readonly RunReport[]): string {
  const first = reports[0];
  const table = new Table({
    head: ['', ...reports.map((r) => r.policy)],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', ...reports.map(() => 'right' as const)],
  });
  for (const row of rows(reports)) table.push(row);
  const title = first
    ? `tlbsim compare: ${first.scenario} (seed ${first.seed}, ${first.fleet.vcpus} vCPUs)`
    : 'tlbsim compare';
  const best = cheapestCorrect(reports);
  const verdict =
    best === null
      ? 'every policy has violations'
      : `cheapest policy with no violation: ${best} (${signedPercent(timeOverheadVsFirst(reports)[reports.findIndex((r) => r.policy === best)], 1)} vCPU time vs ${first!.policy})`;
  return `${title}\n${table.toString()}\n${verdict}\n`;
}
