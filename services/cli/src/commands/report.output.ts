import { SCENARIO_LIMITS, SCENARIO_TOTALS } from '@tlbsim/contracts';
import { RunReport, RunSummary, VIOLATION_CLASSES, WITNESSES_SHOWN_DEFAULT, WitnessSelection } from '@tlbsim/engine';
import type { Command } from 'commander';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { CliOptionError, choiceOption, integerOption } from '../option.parsers';
import { formatReport } from '../report.formatter';
import { formatRunSummary } from '../run-summary.formatter';

/** The output options of the commands that print one run's report (`run`, `submit --wait`, `replay`). */
export interface ReportOutputOptions {
  /** `--json`: the RunReport as one JSON object. */
  json?: boolean;
  /** `--fail-on-violation`: exit {@link EXIT.VIOLATIONS} when the run found any. */
  failOnViolation?: boolean;
  /** `--witnesses <n>`: witnesses in the human report. @defaultValue '3' */
  witnesses?: string;
  /** `--witness-class <class>`: only witnesses of this class. */
  witnessClass?: string;
  /** `--witness-vm <n>`: only witnesses of this fleet-wide VM number. */
  witnessVm?: string;
}

/** Adds `--witnesses`, `--witness-class` and `--witness-vm` to a command that prints a report. */
export function addWitnessOptions(command: Command): Command {
  return command
    .option(
      '--witnesses <n>',
      `witnesses to print in the human report, in time order, plus the first of each class not among them (0..${SCENARIO_LIMITS['run.witnessesMax'].max})`,
      String(WITNESSES_SHOWN_DEFAULT),
    )
    .option('--witness-class <class>', `only witnesses of this class (${VIOLATION_CLASSES.join(', ')})`)
    .option('--witness-vm <n>', 'only witnesses of this VM (fleet-wide VM number, as printed)');
}

/**
 * The witness selection of the options.
 * @param vms - VMs of the fleet (`--witness-vm` must be below it); when unknown, the most a fleet can have
 * @throws CliOptionError naming the flag and its limit
 */
export function witnessSelectionOf(
  options: ReportOutputOptions,
  vms: number = SCENARIO_TOTALS.maxVcpus,
): WitnessSelection {
  const max = integerOption(
    '--witnesses',
    options.witnesses ?? String(WITNESSES_SHOWN_DEFAULT),
    0,
    SCENARIO_LIMITS['run.witnessesMax'].max,
  );
  const violationClass =
    options.witnessClass === undefined
      ? undefined
      : choiceOption('--witness-class', options.witnessClass, VIOLATION_CLASSES);
  const vm = options.witnessVm === undefined ? undefined : integerOption('--witness-vm', options.witnessVm, 0, vms - 1);
  return { max, violationClass, vm };
}

/**
 * {@link witnessSelectionOf}, printing a bad value as one line (the command
 * then exits {@link EXIT.BAD_INPUT} before running anything); null then.
 */
export function witnessSelectionOrReport(
  ctx: CliContext,
  options: ReportOutputOptions,
  vms?: number,
): WitnessSelection | null {
  try {
    return witnessSelectionOf(options, vms);
  } catch (error) {
    if (!(error instanceof CliOptionError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return null;
  }
}

/**
 * Prints a finished run's report, as JSON or for people (`human`, when
 * given, replaces the usual text), ending with the run `summary` when
 * given, and returns the command's exit code.
 */
export function printReport(
  ctx: CliContext,
  report: RunReport,
  options: ReportOutputOptions,
  human?: (report: RunReport) => string,
  summary?: RunSummary,
): number {
  if (report.metrics.accesses === 0 && !report.partial) {
    // Nothing was checked: an error in one line, never a "0 violations" report.
    ctx.io.err(
      `tlbsim: the run made no guest access (${report.fleet.vcpus} vCPUs, ${report.metrics.simulatedNs} ns simulated): nothing was checked, this is not a pass\n`,
    );
    return EXIT.NO_ACCESSES;
  }
  const text = human ? human(report) : formatReport(report, { witnessSelection: witnessSelectionOf(options) });
  const json = () => JSON.stringify(summary ? { ...report, summary } : report);
  ctx.io.out(options.json ? `${json()}\n` : text + (summary ? formatRunSummary(summary) : ''));
  // With replications, a violation in any of them fails the run.
  const violations = report.replications?.violations ?? report.violations.total;
  return options.failOnViolation && violations > 0 ? EXIT.VIOLATIONS : EXIT.OK;
}
