import { RunReport, selectWitnesses, WitnessSelection } from '@tlbsim/engine';
import { fmtInt } from './format.util';
import { witnessesKeptHint } from './witness-hint.formatter';

/** The column heading of the trace lines (as the kernel writes them: actor, host, seconds, event: detail). */
const COLUMNS = `#${'ACTOR'.padStart(13)} ${'HOST'.padEnd(5)} ${'TIMESTAMP'.padStart(11)}  EVENT: DETAIL`;

/**
 * The causal chains of a report's witnesses as text in trace-cmd style: a
 * `#` header naming the run, then per witness a `#` line (class, where,
 * when) and its events, one per line, in time order with the timestamp
 * column. Pure; ends with a newline.
 */
export function formatTrace(report: RunReport, sel: WitnessSelection): string {
  const { shown, matching } = selectWitnesses(report.violations.witnesses, sel);
  const partial = report.partial ? `, partial: first ${fmtInt(report.metrics.windows)} windows` : '';
  const lines = [
    `# tlbsim trace: ${report.scenario}, seed ${report.seed}, policy ${report.policy}, digest ${report.digest}${partial}`,
    `# violations: ${fmtInt(report.violations.total)}; witnesses kept ${report.violations.witnesses.length}, shown ${shown.length} of ${matching} matching`,
  ];
  const hint = witnessesKeptHint(report, sel, shown.length);
  if (hint) lines.push(`# ${hint}`);
  if (shown.length === 0) return `${lines.join('\n')}\n`;
  lines.push(COLUMNS);
  shown.forEach((w, i) => {
    lines.push(
      '#',
      `# witness ${i + 1}/${shown.length}: ${w.class} on host ${w.host} vm ${w.vm} vcpu ${w.vcpu} at ${fmtInt(w.timeNs)} ns, page ${w.pageHpa}`,
    );
    lines.push(...w.lines);
  });
  return `${lines.join('\n')}\n`;
}
