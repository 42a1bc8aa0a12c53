import Table from 'cli-table3';
import {
  cheapestCorrect,
  cheapestCorrectOf,
  cheapestWithoutViolationOf,
  ComparisonEstimates,
  comparisonEstimatesOf,
  overheadVsFirst,
  ParamSensitivity,
  PolicyEstimates,
  RunReport,
  timeOverheadVsFirst,
  timePerAccessNs,
  verdictCandidateOfAll,
} from '@tlbsim/engine';
import { fmtInt } from './format.util';
import { fmtEstimate, fmtPercentEstimate } from './estimate.formatter';
import { notConvergedLines } from './convergence.formatter';
import { verdictLine, verdictLines } from './verdict.formatter';
import { violationClasses, violationCount } from './report.formatter';

/** The compare figures live in `@tlbsim/engine` (one place for the CLI and the coordinator); re-exported for the CLI's callers. */
export { cheapestCorrect, overheadVsFirst, timeOverheadVsFirst, timePerAccessNs };

/** What `tlbsim compare --json` prints. */
export interface ComparisonResult {
  scenario: string;
  seed: number;
  policies: string[];
  /** The first replication's report of each policy (the scenario's own seed). */
  reports: RunReport[];
  /** Replications per policy. */
  replications: number;
  /** Their seeds, the same for every policy (common random numbers). */
  seeds: number[];
  /**
   * Per policy: vCPU time per guest access relative to the first policy, in
   * percent (first is 0), the mean over replications of the paired
   * overheads: the headline, what the policy costs in time, L0 queueing and
   * interrupted VPs included (time is cost, docs/costs.md).
   */
  timeOverheadVsFirst: number[];
  /** Half-width of the 95% interval of each {@link timeOverheadVsFirst}, percentage points; null with one replication. */
  timeOverheadVsFirstCi95: (number | null)[];
  /** Whether each {@link timeOverheadVsFirst} is converged (docs/costs.md "Convergence"). */
  timeOverheadVsFirstConverged: boolean[];
  /** Per policy: vCPU time per guest access, ns (mean over replications). */
  timePerAccessNs: number[];
  /** Half-width of the 95% interval of each {@link timePerAccessNs}; null with one replication. */
  timePerAccessNsCi95: (number | null)[];
  /** Per policy: cycles per access relative to the first policy, in percent (first is 0); secondary. */
  overheadVsFirst: number[];
  /** Half-width of the 95% interval of each {@link overheadVsFirst}; null with one replication. */
  overheadVsFirstCi95: (number | null)[];
  /** Every estimate of every policy, with the convergence of each overhead. */
  estimates: ComparisonEstimates;
  /**
   * The policy with no violation in any replication, whose runs exposed
   * every violation class, and whose vCPU time per guest access is lowest;
   * null when none qualifies (a policy never exposed to a class is "not
   * exercised", never correct).
   */
  cheapestCorrect: string | null;
  /** The cheapest policy with no violation, exercised or not: the cost answer, not a verdict on correctness. */
  cheapestWithoutViolation: string | null;
  /** `--sensitivity`: the verdict against each unsourced cost parameter's range. */
  sensitivity?: ParamSensitivity[];
}

/**
 * Builds the `--json` object of `tlbsim compare` from each policy's
 * replications (`runs[p]`, all on the same seeds; one each without
 * replications).
 */
export function comparisonResult(runs: readonly (readonly RunReport[])[]): ComparisonResult {
  const first = runs[0]?.[0];
  const e = comparisonEstimatesOf(runs);
  return {
    scenario: first?.scenario ?? '',
    seed: first?.seed ?? 0,
    policies: runs.map((rs) => rs[0].policy),
    reports: runs.map((rs) => rs[0]),
    replications: e.seeds.length,
    seeds: e.seeds,
    timeOverheadVsFirst: e.timeOverheadVsFirst.map((x) => x.mean),
    timeOverheadVsFirstCi95: e.timeOverheadVsFirst.map((x) => x.ci95),
    timeOverheadVsFirstConverged: e.timeOverheadConvergence.map((c) => c.converged),
    timePerAccessNs: e.policies.map((p) => p.timePerAccessNs.mean),
    timePerAccessNsCi95: e.policies.map((p) => p.timePerAccessNs.ci95),
    overheadVsFirst: e.overheadVsFirst.map((x) => x.mean),
    overheadVsFirstCi95: e.overheadVsFirst.map((x) => x.ci95),
    estimates: e,
    cheapestCorrect: cheapestCorrectOf(e.policies.map(verdictCandidateOfAll)),
    cheapestWithoutViolation: cheapestWithoutViolationOf(e.policies.map(verdictCandidateOfAll)),
  };
}

/** Row label and the value of each policy. */
type Row = [string, ...string[]];

/** `baseline` for the first policy, else the signed estimate with a `*` when not converged. */
function overheadCell(r: ComparisonResult, i: number, of: 'time' | 'cycles'): string {
  if (i === 0) return 'baseline';
  const e = of === 'time' ? r.estimates.timeOverheadVsFirst[i] : r.estimates.overheadVsFirst[i];
  const mark = of === 'time' && !r.timeOverheadVsFirstConverged[i] ? ' *' : '';
  return `${fmtPercentEstimate(e, 1)}${mark}`;
}

/** The rows of the comparison table: the headline (vCPU time) first, cycles and counters after. */
function rows(r: ComparisonResult, runs: readonly (readonly RunReport[])[]): Row[] {
  const ps = r.estimates.policies;
  const n = r.replications;
  const per = n > 1 ? ` (mean of ${n})` : '';
  const each = (label: string, f: (p: PolicyEstimates, i: number) => string): Row => [label, ...ps.map(f)];
  const counter = (label: string, f: (rep: RunReport) => number): Row =>
    each(`${label}${per}`, (_p, i) => fmtInt(Math.round(runs[i].reduce((a, rep) => a + f(rep), 0) / runs[i].length)));
  const base = r.policies[0] ?? 'first';
  const classes = r.reports.length > 0 ? violationClasses(r.reports[0]) : [];
  return [
    each('vCPU time / access (ns)', (p) => fmtEstimate(p.timePerAccessNs, 2)),
    [`vCPU time vs ${base}`, ...ps.map((_p, i) => overheadCell(r, i, 'time'))],
    each('hypercall stalls (% of time)', (p) => fmtEstimate(p.hypercallStallsPercent, 2)),
    each('L0 busy (%)', (p) => fmtEstimate(p.l0BusyPercent, 2)),
    each('cycles / access', (p) => fmtEstimate(p.cyclesPerAccess, 2)),
    [`cycles vs ${base}`, ...ps.map((_p, i) => overheadCell(r, i, 'cycles'))],
    each(n > 1 ? `violations (all ${n} runs)` : 'violations', (p) => fmtInt(p.violations)),
    ...classes.map((c) => counter(`  ${c}`, (rep) => violationCount(rep, c))),
    counter('hypercalls: GPA space', (rep) => rep.metrics.hypercalls.flushGuestPhysicalAddressSpace),
    counter('hypercalls: GPA list', (rep) => rep.metrics.hypercalls.flushGuestPhysicalAddressList),
    counter('shootdown messages', (rep) => rep.metrics.shootdownMessages),
    counter('TLB misses', (rep) => rep.metrics.tlb.misses),
    counter('nested walks', (rep) => rep.metrics.nestedWalks),
    each(
      `hypercalls / host / s${r.reports[0]?.metrics.rates.compressed ? ` (compressed x${r.reports[0].metrics.rates.timeCompression})` : ''}`,
      (p) => fmtEstimate(p.hypercallsPerHostPerSec, 0),
    ),
    each(n > 1 ? `digest (seed ${r.seeds[0]})` : 'digest', (_p, i) => r.reports[i].digest.slice(0, 12)),
  ];
}

/** The lines under the table: replications and seeds, the interval covered, what is not converged, the verdict. */
function footer(r: ComparisonResult): string[] {
  const lines: string[] = [];
  const first = r.reports[0];
  if (r.replications > 1)
    lines.push(
      `${r.replications} replications per policy, seeds ${r.seeds.join(', ')} (the same for every policy: overheads are paired); ± is a 95% interval (Student's t)`,
    );
  else lines.push(`1 replication (seed ${r.seed}): no interval; --replications 5 gives one`);
  const m = first?.metrics.measured;
  if (m && m.warmupMs > 0 && m.warmupReached)
    lines.push(
      `cost figures cover ${(m.fromNs / 1e6).toFixed(3)} .. ${(m.toNs / 1e6).toFixed(3)} ms simulated: the first ${m.warmupMs} ms are warm-up, left out; violations count the whole run`,
    );
  lines.push(...notConvergedLines(r.policies, r.estimates.timeOverheadConvergence, m));
  lines.push(...verdictLines(r.estimates.policies));
  const overheadOf = (policy: string): string => {
    const i = r.policies.indexOf(policy);
    return i === 0
      ? 'the baseline'
      : `${fmtPercentEstimate(r.estimates.timeOverheadVsFirst[i], 1)} vCPU time vs ${r.policies[0]}`;
  };
  lines.push(verdictLine(r.estimates.policies, r.cheapestCorrect, r.cheapestWithoutViolation, overheadOf));
  return lines;
}

/**
 * Renders a comparison (one column per policy) as a text table with the
 * headline figures (vCPU time, with 95% intervals) first. Pure; ends with a
 * newline. `runs`, when given, are every replication's reports, for the
 * counters' means.
 */
export function formatComparison(r: ComparisonResult, runs?: readonly (readonly RunReport[])[]): string {
  const first = r.reports[0];
  const table = new Table({
    head: ['', ...r.policies],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', ...r.policies.map(() => 'right' as const)],
  });
  for (const row of rows(r, runs ?? r.reports.map((rep) => [rep]))) table.push(row);
  const title = first
    ? `tlbsim compare: ${first.scenario} (seed ${first.seed}, ${first.fleet.vcpus} vCPUs)`
    : 'tlbsim compare';
  return `${title}\n${table.toString()}\n${footer(r).join('\n')}\n`;
}
