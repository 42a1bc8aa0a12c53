import { RunReport, selectWitnesses, VIOLATION_CLASSES, Witness, WitnessSelection } from '@tlbsim/engine';
import { STALL_FACTOR_MAX, STALL_LIMIT_NS_MIN } from '@tlbsim/sim-core';
import { realUnitsLines } from './real-units.formatter';
import { measuredLine } from './measured.formatter';
import { replicationLines } from './replications.formatter';
import { alignPairs, fmtFixed, fmtInt, fmtPercent } from './format.util';
import { STALE_HITS_NOTE, witnessesKeptHint } from './witness-hint.formatter';

/** Violation classes, most severe first: `VIOLATION_CLASSES` of `@tlbsim/engine` (their one home is sim-core). */
export const VIOLATION_CLASS_ORDER = VIOLATION_CLASSES;

/** Options of {@link formatReport}. */
export interface ReportFormatOptions {
  /**
   * Witnesses to print in full (`witnessSelection.max` wins when given).
   *
   * @defaultValue 3
   */
  witnesses?: number;
  /** Which witnesses to print: count, class, VM (see `selectWitnesses` of `@tlbsim/engine`). */
  witnessSelection?: WitnessSelection;
  /**
   * Cost operations to list.
   *
   * @defaultValue 8
   */
  topOps?: number;
}

/** The classes of a report in severity order, plus any the CLI does not know yet. */
export function violationClasses(report: RunReport): string[] {
  const known: string[] = [...VIOLATION_CLASS_ORDER];
  return [...known, ...Object.keys(report.violations.byClass).filter((c) => !known.includes(c))];
}

/** Count of one violation class (0 when absent). */
export function violationCount(report: RunReport, cls: string): number {
  return (report.violations.byClass as Record<string, number | undefined>)[cls] ?? 0;
}

/** Scenario, seed, policy, platform, fleet, digest. */
function header(r: RunReport): string[] {
  const p = r.platform;
  const f = r.fleet;
  return [
    `tlbsim run: ${r.scenario}`,
    ...alignPairs([
      ['seed', String(r.seed)],
      ['policy', r.policy],
      ['platform', `${p.vendor}, L0 ${p.l0}, enlightened TLB ${p.enlightenedTlb ? 'on' : 'off'}`],
      ['fleet', `${f.hosts} host(s) x ${f.vmsPerHost} VM(s) x ${f.vcpusPerVm} vCPU(s) = ${f.vcpus} vCPUs`],
      ['shards', String(r.shards)],
      ['digest', r.digest],
      ...(r.partial
        ? [
            [
              'partial',
              `yes: the job did not complete; this covers its first ${fmtInt(r.metrics.windows)} windows`,
            ] as [string, string],
          ]
        : []),
    ]),
  ];
}

/** The counters of `metrics`. */
function counters(r: RunReport): string[] {
  const m = r.metrics;
  const lookups = m.tlb.hits + m.tlb.misses;
  const fl = m.flushes;
  const ev = m.events;
  return [
    '',
    'Counters',
    ...alignPairs([
      ['accesses', fmtInt(m.accesses)],
      [
        'TLB hits / misses',
        `${fmtInt(m.tlb.hits)} / ${fmtInt(m.tlb.misses)} (miss rate ${fmtPercent(m.tlb.misses, lookups)})`,
      ],
      ['nested TLB hits', fmtInt(m.tlb.nestedHits)],
      ['nested walks', fmtInt(m.nestedWalks)],
      ['stale hits', fmtInt(m.staleHits)],
      [
        'hypercalls',
        `GPA space ${fmtInt(m.hypercalls.flushGuestPhysicalAddressSpace)}, GPA list ${fmtInt(m.hypercalls.flushGuestPhysicalAddressList)} (list fallbacks ${fmtInt(m.hypercalls.listFallbacks)})`,
      ],
      ['shootdown messages', fmtInt(m.shootdownMessages)],
      [
        'flushes',
        `ASID ${fmtInt(fl.asid)}, ASID enlightened ${fmtInt(fl.asidEnlightened)}, INVEPT single ${fmtInt(fl.inveptSingle)}, INVEPT global ${fmtInt(fl.inveptGlobal)}, full ${fmtInt(fl.full)}, guest ${fmtInt(fl.guest)}`,
      ],
      [
        'roots',
        `allocated ${fmtInt(m.roots.allocated)}, freed ${fmtInt(m.roots.freed)}, page reused ${fmtInt(m.roots.pageReused)}, reused by other VM ${fmtInt(m.roots.reusedByOtherVm)}`,
      ],
      [
        'events',
        `memslot ${fmtInt(ev.memslotUpdates)}, mmu-notifier ${fmtInt(ev.mmuNotifierInvalidations)}, nested transitions ${fmtInt(ev.nestedTransitions)}, CR4 ${fmtInt(ev.cr4Writes)}, CR3 ${fmtInt(ev.cr3Switches)}, INVLPG ${fmtInt(ev.invlpg)}`,
      ],
      ['messages', `${fmtInt(m.messages.sent)} sent, ${fmtInt(m.messages.crossShard)} cross-shard`],
      ['windows', fmtInt(m.windows)],
      ['simulated time', `${fmtInt(m.simulatedNs)} ns`],
      ...coveragePairs(r),
    ]),
    ...stallLimitLine(m),
  ];
}

/** Accesses per vCPU and per VM (`report.coverage`), absent from reports of older builds. */
function coveragePairs(r: RunReport): [string, string][] {
  const c = r.coverage;
  if (!c) return [];
  return [
    [
      'coverage',
      `${perN(c.accessesPerVcpu)} accesses per vCPU, ${perN(c.accessesPerVm)} per VM; ${fmtInt(c.vcpusBelowMin)} vCPU(s) below ${fmtInt(c.accessesPerVcpuMin)}`,
    ],
  ];
}

/** A mean count: whole above 100, one decimal below. */
function perN(x: number): string {
  return x >= 100 ? fmtInt(Math.round(x)) : fmtFixed(x, 1);
}

/** A coverage too low to mean anything is said next to the verdict. */
function coverageWarningLines(r: RunReport): string[] {
  return r.coverage?.warning ? [`  warning: low coverage: ${r.coverage.warning}`] : [];
}

/** A run cut at the stall limit says so: its counters cover only what ran. */
function stallLimitLine(m: RunReport['metrics']): string[] {
  if (!m.stallLimit?.hit) return [];
  return [
    '',
    `stopped at the stall limit (${fmtInt(m.stallLimit.simulatedNsMax)} ns simulated: ${STALL_FACTOR_MAX}x the nominal time, at least ${fmtInt(STALL_LIMIT_NS_MIN)} ns): ` +
      `the vCPUs waited ${fmtPercent(m.time.percent.hypercallStalls + m.time.percent.rootWaits, 100)} of their time on hypercalls and roots; ` +
      'L0 cannot serve the flushes this policy offers at these rates (set run.simulatedMs to bound the run yourself)',
  ];
}

/** Totals per violation class. */
function violations(r: RunReport): string[] {
  const v = r.violations;
  const verdict = v.total === 0 ? 'none' : `${fmtInt(v.total)} total`;
  const pairs = violationClasses(r).map((c) => [c, fmtInt(violationCount(r, c))] as const);
  const note = v.total > 0 || r.metrics.staleHits > 0 ? [`  (${STALE_HITS_NOTE})`] : [];
  return ['', `Violations: ${verdict}`, ...note, ...coverageWarningLines(r), ...alignPairs(pairs)];
}

/** One witness: a heading and its trace lines. */
function witness(w: Witness, index: number): string[] {
  const head = `  #${index + 1} ${w.class}: host ${w.host} vm ${w.vm} vcpu ${w.vcpu} at ${fmtInt(w.timeNs)} ns, page ${w.pageHpa}`;
  return [head, ...w.lines.map((line) => `      ${line}`)];
}

/** What a selection filters on, e.g. ` of class stale-root, VM 3`. */
function filterText(sel: WitnessSelection): string {
  const parts = [sel.violationClass && `class ${sel.violationClass}`, sel.vm !== undefined && `VM ${sel.vm}`].filter(
    Boolean,
  );
  return parts.length ? ` of ${parts.join(', ')}` : '';
}

/** The selected witnesses, in time order (each class that occurred shows at least one). */
function witnesses(r: RunReport, sel: WitnessSelection): string[] {
  const all = r.violations.witnesses;
  if (all.length === 0 || (sel.max ?? 1) <= 0) return [];
  const { shown, matching } = selectWitnesses(all, sel);
  const filter = filterText(sel);
  const hint = witnessesKeptHint(r, sel, shown.length);
  if (shown.length === 0) return ['', `Witnesses: none${filter} among the ${all.length} kept${hint && ` (${hint})`}`];
  const more = matching > shown.length ? ` (${shown.length} of ${matching} kept, in time order)` : '';
  return ['', `Witnesses${filter}${more}`, ...(hint ? [`  ${hint}`] : []), ...shown.flatMap(witness)];
}

/** Cycle totals and the most expensive operations. */
function costs(r: RunReport, topOps: number): string[] {
  const c = r.metrics.cycles;
  const ops = Object.entries(c.byOp)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, topOps)
    .map(([op, cycles]) => [op, `${fmtInt(cycles)} (${fmtPercent(cycles, c.total)})`] as const);
  return [
    '',
    'Costs',
    ...measuredLine(r),
    ...alignPairs([
      ['cycles total', fmtInt(c.total)],
      ['cycles per access', fmtFixed(c.perAccess)],
    ]),
    ...(ops.length > 0 ? ['  top operations by cycles', ...alignPairs(ops, '    ')] : []),
  ];
}

/**
 * Renders a {@link RunReport} for humans: header, counters, violations by
 * class, the first witnesses with their trace lines, and the cost summary.
 * Pure; ends with a newline.
 */
export function formatReport(report: RunReport, options: ReportFormatOptions = {}): string {
  const lines = [
    ...header(report),
    ...counters(report),
    ...violations(report),
    ...witnesses(report, options.witnessSelection ?? { max: options.witnesses ?? 3 }),
    ...costs(report, options.topOps ?? 8),
    ...realUnitsLines(report),
    ...replicationLines(report),
  ];
  return lines.join('\n') + '\n';
}

/**
 * The answer of `run --stop-at-first-violation`: where the run stopped and
 * the first violation's witness, or that the run ended without one. Pure;
 * ends with a newline.
 */
export function formatFirstViolation(report: RunReport): string {
  const first = report.violations.witnesses[0];
  const where = report.stoppedAt
    ? `stopped at the first violation: window ${fmtInt(report.stoppedAt.window)}, ${fmtInt(report.stoppedAt.simulatedNs)} ns simulated, ${fmtInt(report.metrics.accesses)} accesses`
    : `no violation: the run ended after ${fmtInt(report.metrics.windows)} windows, ${fmtInt(report.metrics.accesses)} accesses`;
  const lines = [...header(report), '', where];
  if (first) lines.push('', 'First violation', ...witness(first, 0));
  return lines.join('\n') + '\n';
}
