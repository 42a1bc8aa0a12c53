import type { RunReport } from '@tlbsim/engine';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { formatReport } from '../report.formatter';

/** The output options of the commands that print one run's report (`run`, `submit --wait`, `replay`). */
export interface ReportOutputOptions {
  /** `--json`: the RunReport as one JSON object. */
  json?: boolean;
  /** `--fail-on-violation`: exit {@link EXIT.VIOLATIONS} when the run found any. */
  failOnViolation?: boolean;
  /** `--witnesses <n>`: witnesses in the human report. @defaultValue '3' */
  witnesses?: string;
}

/** Witnesses shown when `--witnesses` is missing or not a number. */
const WITNESSES_SHOWN = 3;

/**
 * Prints a finished run's report, as JSON or for people (`human`, when
 * given, replaces the usual text), and returns the command's exit code.
 */
export function printReport(ctx: CliContext, report: RunReport, options: ReportOutputOptions, human?: (report: RunReport) => string): number {
  const witnesses = Number.parseInt(options.witnesses ?? '', 10);
  const text = human ? human(report) : formatReport(report, { witnesses: Number.isNaN(witnesses) ? WITNESSES_SHOWN : witnesses });
  ctx.io.out(options.json ? `${JSON.stringify(report)}\n` : text);
  return options.failOnViolation && report.violations.total > 0 ? EXIT.VIOLATIONS : EXIT.OK;
}
