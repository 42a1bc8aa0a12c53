import Table from 'cli-table3';
import type { GridValue, SweepRow, SweepSummaryRow } from '@tlbsim/contracts';
import { fmtFixed, fmtInt } from './format.util';
import { VIOLATION_CLASS_ORDER } from './report.formatter';
import { formatSweepSummary } from './sweep-summary.formatter';

/** What `tlbsim sweep --json` prints (the same rows as the table and the CSV). */
export interface SweepResult {
  scenario: string;
  gridKeys: string[];
  policies: string[];
  seeds: number;
  rows: SweepRow[];
  /**
   * Per grid point and policy over its seeds (replications): the headline
   * (vCPU time per access, its overhead paired by seed) as means with 95%
   * intervals, and whether the overhead is converged.
   */
  summary: SweepSummaryRow[];
}

/** A grid value as shown in a table cell. */
function gridText(value: GridValue | undefined): string {
  return value === undefined ? '' : String(value);
}

/** `+12.3%` / `-4.0%` / `baseline` / `-` (baseline missing). */
function overheadText(row: SweepRow, baseline: string, value: number | null | undefined): string {
  if (row.policy === baseline) return 'baseline';
  if (value === null || value === undefined) return '-';
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

/** Columns of the table and the CSV, in order: grid keys, then the fixed ones. */
export function sweepColumns(result: SweepResult): string[] {
  return [
    ...result.gridKeys,
    'policy',
    'seed',
    'violations',
    ...VIOLATION_CLASS_ORDER,
    'hypercalls',
    'vCPU ns/access',
    `vCPU time vs ${result.policies[0] ?? 'first'}`,
    'cycles/access',
    `cycles vs ${result.policies[0] ?? 'first'}`,
  ];
}

/**
 * Renders a sweep as one text table: a row per point (grid values, policy,
 * seed, violations by class, hypercalls, cycles per access, overhead vs the
 * first policy of the same grid point). Pure; ends with a newline.
 */
export function formatSweep(result: SweepResult): string {
  const table = new Table({
    head: sweepColumns(result),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: [
      ...result.gridKeys.map(() => 'right' as const),
      'left',
      'right',
      'right',
      ...VIOLATION_CLASS_ORDER.map(() => 'right' as const),
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
  });
  for (const r of result.rows) {
    table.push([
      ...result.gridKeys.map((k) => gridText(r.grid[k])),
      r.policy,
      String(r.seed),
      fmtInt(r.violations.total),
      ...VIOLATION_CLASS_ORDER.map((c) => fmtInt(r.violations.byClass[c] ?? 0)),
      fmtInt(r.hypercalls),
      r.timePerAccessNs === undefined ? '-' : fmtFixed(r.timePerAccessNs),
      overheadText(r, result.policies[0], r.timeOverheadVsFirst),
      fmtFixed(r.cyclesPerAccess),
      overheadText(r, result.policies[0], r.overheadVsFirst),
    ]);
  }
  const grid = result.gridKeys.length > 0 ? result.gridKeys.join(' x ') : 'no grid';
  const head = `tlbsim sweep: ${result.scenario} (${grid}; ${result.policies.length} policies; ${result.seeds} seed(s); ${result.rows.length} points)`;
  return `${head}\n${table.toString()}\n${formatSweepSummary(result)}`;
}

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The sweep's rows as CSV with a header line: raw numbers, the same columns as the table plus accesses and digest. */
export function sweepCsv(result: SweepResult): string {
  const head = [
    ...result.gridKeys,
    'policy',
    'seed',
    'violations',
    ...VIOLATION_CLASS_ORDER,
    'hypercalls',
    'cyclesPerAccess',
    'overheadVsFirst',
    'accesses',
    'digest',
    'timePerAccessNs',
    'timeOverheadVsFirst',
    'hypercallStallsPercent',
    'l0BusyPercent',
  ];
  const lines = result.rows.map((r) =>
    [
      ...result.gridKeys.map((k) => r.grid[k] ?? null),
      r.policy,
      r.seed,
      r.violations.total,
      ...VIOLATION_CLASS_ORDER.map((c) => r.violations.byClass[c] ?? 0),
      r.hypercalls,
      r.cyclesPerAccess,
      r.overheadVsFirst,
      r.accesses,
      r.digest,
      r.timePerAccessNs ?? null,
      r.timeOverheadVsFirst ?? null,
      r.hypercallStallsPercent ?? null,
      r.l0BusyPercent ?? null,
    ]
      .map(csvField)
      .join(','),
  );
  return [head.map(csvField).join(','), ...lines].join('\n') + '\n';
}
