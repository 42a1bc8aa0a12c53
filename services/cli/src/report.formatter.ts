import type { RunReport, ViolationClass, Witness } from '@tlbsim/engine';
import { realUnitsLines } from './real-units.formatter';
import { alignPairs, fmtFixed, fmtInt, fmtPercent } from './format.util';

/** Violation classes, most severe first (mirrors `VIOLATION_CLASSES` of `@tlbsim/engine`). */
export const VIOLATION_CLASS_ORDER = ['cross-vm', 'use-after-free', 'stale-mapping', 'stale-root'] as const satisfies readonly ViolationClass[];

/** Options of {@link formatReport}. */
export interface ReportFormatOptions {
  /**
   * Witnesses to print in full.
   *
   * @defaultValue 3
   */
  witnesses?: number;
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
      ['TLB hits / misses', `${fmtInt(m.tlb.hits)} / ${fmtInt(m.tlb.misses)} (miss rate ${fmtPercent(m.tlb.misses, lookups)})`],
      ['nested TLB hits', fmtInt(m.tlb.nestedHits)],
      ['nested walks', fmtInt(m.nestedWalks)],
      ['stale hits', fmtInt(m.staleHits)],
      ['hypercalls', `GPA space ${fmtInt(m.hypercalls.flushGuestPhysicalAddressSpace)}, GPA list ${fmtInt(m.hypercalls.flushGuestPhysicalAddressList)} (list fallbacks ${fmtInt(m.hypercalls.listFallbacks)})`],
      ['shootdown messages', fmtInt(m.shootdownMessages)],
      ['flushes', `ASID ${fmtInt(fl.asid)}, ASID enlightened ${fmtInt(fl.asidEnlightened)}, INVEPT single ${fmtInt(fl.inveptSingle)}, INVEPT global ${fmtInt(fl.inveptGlobal)}, full ${fmtInt(fl.full)}, guest ${fmtInt(fl.guest)}`],
      ['roots', `allocated ${fmtInt(m.roots.allocated)}, freed ${fmtInt(m.roots.freed)}, page reused ${fmtInt(m.roots.pageReused)}, reused by other VM ${fmtInt(m.roots.reusedByOtherVm)}`],
      ['events', `memslot ${fmtInt(ev.memslotUpdates)}, mmu-notifier ${fmtInt(ev.mmuNotifierInvalidations)}, nested transitions ${fmtInt(ev.nestedTransitions)}, CR4 ${fmtInt(ev.cr4Writes)}, CR3 ${fmtInt(ev.cr3Switches)}, INVLPG ${fmtInt(ev.invlpg)}`],
      ['messages', `${fmtInt(m.messages.sent)} sent, ${fmtInt(m.messages.crossShard)} cross-shard`],
      ['windows', fmtInt(m.windows)],
      ['simulated time', `${fmtInt(m.simulatedNs)} ns`],
    ]),
  ];
}

/** Totals per violation class. */
function violations(r: RunReport): string[] {
  const v = r.violations;
  const verdict = v.total === 0 ? 'none' : `${fmtInt(v.total)} total`;
  const pairs = violationClasses(r).map((c) => [c, fmtInt(violationCount(r, c))] as const);
  return ['', `Violations: ${verdict}`, ...alignPairs(pairs)];
}

/** One witness: a heading and its trace lines. */
function witness(w: Witness, index: number): string[] {
  const head = `  #${index + 1} ${w.class}: host ${w.host} vm ${w.vm} vcpu ${w.vcpu} at ${fmtInt(w.timeNs)} ns, page ${w.pageHpa}`;
  return [head, ...w.lines.map((line) => `      ${line}`)];
}

/** The first `max` witnesses. */
function witnesses(r: RunReport, max: number): string[] {
  const all = r.violations.witnesses;
  if (all.length === 0 || max <= 0) return [];
  const shown = all.slice(0, max);
  const more = all.length > shown.length ? ` (first ${shown.length} of ${all.length} kept)` : '';
  return ['', `Witnesses${more}`, ...shown.flatMap(witness)];
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
    ...witnesses(report, options.witnesses ?? 3),
    ...costs(report, options.topOps ?? 8),
    ...realUnitsLines(report),
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
