import { Command } from 'commander';
import { RunReport, stopAtViolation } from '@tlbsim/engine';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption, createProgressReporter, ProgressMode } from '../progress.reporter';
import { watchInterrupts } from '../interrupt.util';
import { formatFirstViolation } from '../report.formatter';
import { configYaml, runSummaryOf } from '../run-summary.formatter';
import { addTraceOutOptions, closeTraceOut, openTraceOut, TraceOutOptions } from './trace-out.options';
import { addWitnessOptions, printReport, ReportOutputOptions, witnessSelectionOrReport } from './report.output';
import { addReplications } from './run.replications';
import { addReplicationsOption, addScenarioOptions, loadScenarioOrReport, ScenarioOptions } from './scenario.options';

/** Options of `tlbsim run`. */
export interface RunOptions extends ScenarioOptions, ReportOutputOptions, TraceOutOptions {
  json?: boolean;
  failOnViolation?: boolean;
  stopAtFirstViolation?: boolean;
  witnesses: string;
  progress?: ProgressMode;
  /** `--print-config`: print the resolved scenario as YAML and run nothing. */
  printConfig?: boolean;
}

/** The action of `tlbsim run`; returns the exit code. */
export async function runAction(ctx: CliContext, file: string, options: RunOptions): Promise<number> {
  const loaded = loadScenarioOrReport(ctx, file, options);
  if (!loaded) return EXIT.BAD_INPUT;
  if (!witnessSelectionOrReport(ctx, options, loaded.fleet.hosts * loaded.fleet.vmsPerHost)) return EXIT.BAD_INPUT;
  if (options.printConfig) {
    ctx.io.out(configYaml(loaded));
    return EXIT.OK;
  }
  const trace = openTraceOut(ctx, options, loaded);
  if (trace === null) return EXIT.BAD_INPUT;
  // The first violation's witness is the point of stopping: keep at least one.
  const config = options.stopAtFirstViolation
    ? { ...loaded, run: { ...loaded.run, witnessesMax: Math.max(1, loaded.run.witnessesMax) } }
    : loaded;
  const progress = createProgressReporter(ctx.io, config.kvm.policy, options.progress);
  const atViolation = options.stopAtFirstViolation ? stopAtViolation() : undefined;
  // Ctrl-C stops the run at the end of its window (no report: it would look like a whole run's).
  const interrupts = watchInterrupts();
  let report: RunReport;
  const startedMs = performance.now(); // host time, for the summary only: the kernel never sees it
  try {
    report = await ctx.run(config, {
      onProgress: (p) => interrupts.count() === 0 && progress.update(p),
      stopWhen: (counter) => interrupts.count() > 0 || !!trace?.recorder.full || (atViolation?.(counter) ?? false),
      onSent: trace && ((sent, window) => trace.recorder.onSent(sent, window)),
      onLocalEvents: trace && ((events, window) => trace.recorder.onLocalEvents(events, window)),
    });
  } finally {
    progress.stop();
    interrupts.off();
  }
  const summary = runSummaryOf(report, performance.now() - startedMs, loaded);
  // The trace of what ran (an interrupted run's too), or the one line saying it passed its limit.
  if (trace && closeTraceOut(ctx, trace, report) !== EXIT.OK) return EXIT.BAD_INPUT;
  if (interrupts.count() > 0) {
    const ms = report.metrics.simulatedNs / 1e6;
    ctx.io.err(
      `tlbsim: interrupted at window ${report.metrics.windows} (${ms.toFixed(3)} ms simulated); no report printed\n`,
    );
    return EXIT.INTERRUPTED;
  }
  if (!options.stopAtFirstViolation) await addReplications(ctx, config, report, options.progress);
  const human = options.stopAtFirstViolation ? formatFirstViolation : undefined;
  return printReport(ctx, report, options, human, summary);
}

/** `tlbsim run <scenario>`: runs one scenario in process and prints its report. */
export function runCommand(ctx: CliContext): Command {
  const command = new Command('run')
    .description('run a scenario in process and print its report')
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)');
  addProgressOption(addReplicationsOption(addScenarioOptions(command)))
    .option('--json', 'print the report as one JSON object (exactly the RunReport)')
    .option('--fail-on-violation', `exit with ${EXIT.VIOLATIONS} if the run found any violation`)
    .option(
      '--stop-at-first-violation',
      'stop at the end of the window of the first violation and print its witness (the report gets stoppedAt)',
    );
  addTraceOutOptions(command).option(
    '--print-config',
    'print the scenario after defaults and overrides as YAML (which run accepts) and exit',
  );
  addWitnessOptions(command)
    .addHelpText('after', exitCodeHelp())
    .action(async (file: string, options: RunOptions) => ctx.setExitCode(await runAction(ctx, file, options)));
  return command;
}

/** The exit code legend shown in `--help`. */
export function exitCodeHelp(): string {
  return (
    `\nExit codes: ${EXIT.OK} ok, ${EXIT.VIOLATIONS} violations found (--fail-on-violation) or no guest access made, ` +
    `${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} run failed, Redis unreachable or --wait-timeout reached.`
  );
}
