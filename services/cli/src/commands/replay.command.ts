import { readFileSync } from 'fs';
import { Command } from 'commander';
import { IncompleteExportError, replayExport } from '@tlbsim/jobs';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { CliOptionError, integerOption } from '../option.parsers';
import { createProgressReporter } from '../progress.reporter';
import { addWitnessOptions, printReport, ReportOutputOptions, witnessSelectionOrReport } from './report.output';
import { readFailure } from '../scenario.loader';
import { runSummaryOf } from '../run-summary.formatter';
import type { SimConfig } from '@tlbsim/sim-core';

/** Options of `tlbsim replay`. */
export interface ReplayOptions extends ReportOutputOptions {
  json?: boolean;
  witnesses: string;
  /** `--until-window <n>`: stop after n windows (a cancelled or failed job's partial report). */
  untilWindow?: string;
}

/** Most windows `--until-window` accepts. */
const UNTIL_WINDOW_MAX = 1e9;

/** `--until-window` as a number, or undefined; prints a bad value and returns null. */
function untilWindowOf(ctx: CliContext, options: ReplayOptions): number | undefined | null {
  if (options.untilWindow === undefined) return undefined;
  try {
    return integerOption('--until-window', options.untilWindow, 1, UNTIL_WINDOW_MAX);
  } catch (error) {
    if (!(error instanceof CliOptionError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return null;
  }
}

/** The action of `tlbsim replay`: exit 1 if the digest differs from the exported one. */
export async function replayAction(ctx: CliContext, file: string, options: ReplayOptions): Promise<number> {
  const untilWindow = untilWindowOf(ctx, options);
  if (untilWindow === null || !witnessSelectionOrReport(ctx, options)) return EXIT.BAD_INPUT;
  let lines: string[];
  try {
    lines = readFileSync(file === '-' ? 0 : file, 'utf8').split('\n');
  } catch (error) {
    ctx.io.err(`tlbsim: ${file}: ${readFailure(error)}\n`);
    return EXIT.BAD_INPUT;
  }
  const head = exportHeadOf(lines);
  if (!head) {
    ctx.io.err(
      `tlbsim: ${file}: not a job export: replay takes the ndjson that \`tlbsim export <job>\` prints (a scenario file runs with \`tlbsim run ${file}\`)\n`,
    );
    return EXIT.BAD_INPUT;
  }
  const progress = createProgressReporter(ctx.io, 'replay');
  let result;
  const startedMs = performance.now(); // host time, for the summary only
  try {
    result = await replayExport(lines, { onProgress: (p) => progress.update(p), untilWindow });
  } catch (error) {
    if (
      !(error instanceof SyntaxError) &&
      !(error instanceof IncompleteExportError) &&
      !/not a tlbsim job export/.test((error as Error).message)
    )
      throw error;
    ctx.io.err(`tlbsim: ${file}: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  } finally {
    progress.stop();
  }
  if (!result.matches) {
    ctx.io.err(
      `tlbsim: digest mismatch: exported ${result.expected ?? '(none: the job did not complete)'}, replayed ${result.report.digest}\n`,
    );
    return EXIT.VIOLATIONS;
  }
  const summary = runSummaryOf(result.report, performance.now() - startedMs, head.config ?? null);
  const code = printReport(ctx, result.report, options, undefined, summary);
  if (!options.json) {
    const what =
      untilWindow === undefined ? 'the export' : `the export's partial report of its first ${untilWindow} windows`;
    ctx.io.out(`digest matches ${what} (${result.report.digest})\n`);
  }
  return code;
}

/** The export's `job` line (its first non-blank line, JSON with `"kind": "job"`), or null when the file is not an export. */
export function exportHeadOf(lines: readonly string[]): { kind: 'job'; config?: SimConfig } | null {
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return null;
  try {
    const head = JSON.parse(first) as { kind?: unknown; config?: SimConfig } | null;
    return typeof head === 'object' && head !== null && head.kind === 'job'
      ? { kind: 'job', config: head.config }
      : null;
  } catch {
    return null;
  }
}

/** `tlbsim replay <file>`: re-runs an exported job in process and checks its digest. */
export function replayCommand(ctx: CliContext): Command {
  const command = new Command('replay')
    .description('re-run an exported job (tlbsim export) in process; exit 1 if the digest differs')
    .argument('<file>', 'ndjson file from `tlbsim export` (- for standard input)')
    .option('--json', 'print the report as one JSON object (exactly the RunReport)')
    .option(
      '--until-window <n>',
      "stop after n windows: reproduces the partial report's digest of a cancelled or failed job (n = its windows)",
    );
  return addWitnessOptions(command)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} same digest, ${EXIT.VIOLATIONS} digest differs, ${EXIT.BAD_INPUT} bad input or the export of a job that did not complete (see --until-window), ${EXIT.RUN_FAILED} run failed.`,
    )
    .action(async (file: string, options: ReplayOptions) => ctx.setExitCode(await replayAction(ctx, file, options)));
}
