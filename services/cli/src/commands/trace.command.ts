import { existsSync, readFileSync } from 'fs';
import { Command } from 'commander';
import type { RunReport } from '@tlbsim/engine';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { formatTrace } from '../trace.formatter';
import { defaultPrefix, REDIS_CLUSTER_HELP, RedisOptions, resolveRedisBeforeAction, withJobs } from './redis.options';
import { ReportOutputOptions, witnessSelectionOrReport } from './report.output';
import { readFailure } from '../scenario.loader';

/** Options of `tlbsim trace`. */
export interface TraceOptions extends ReportOutputOptions, Partial<RedisOptions> {}

/** Most witnesses a report keeps (`run.witnessesMax` plus one per class per KVM is far below this). */
const ALL_WITNESSES = '1000';

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The report in a file: a RunReport (`run --json`, `/result`) or an export
 * (`tlbsim export`: its `result` line). Throws a one-line Error otherwise.
 */
function reportFromFile(file: string): RunReport {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(readFailure(error), { cause: error });
  }
  const trimmed = text.trim();
  const whole = parseOrNull(trimmed) as RunReport | null;
  if (whole?.violations) return whole;
  for (const line of trimmed.split('\n')) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as { kind?: string; report?: RunReport | null };
    if (l.kind === 'result') {
      if (l.report) return l.report;
      throw new Error('the export has no report (the job had not completed, nor kept a partial report)');
    }
  }
  throw new Error('neither a RunReport (run --json) nor a job export');
}

/** The report of a job, read from Redis; one-line Error if it has none. */
async function reportOfJob(ctx: CliContext, id: string, options: TraceOptions): Promise<RunReport | number> {
  return withJobs({ redis: options.redis!, prefix: options.prefix ?? defaultPrefix() }, async (jobs) => {
    const view = await jobs.get(id);
    if (!view) {
      ctx.io.err(`tlbsim: unknown job ${id}\n`);
      return EXIT.BAD_INPUT;
    }
    const report = await jobs.result(id);
    if (!report) {
      ctx.io.err(`tlbsim: job ${id} has no report yet (${view.state})\n`);
      return EXIT.BAD_INPUT;
    }
    return report;
  });
}

/** The action of `tlbsim trace`. */
export async function traceAction(ctx: CliContext, source: string, options: TraceOptions): Promise<number> {
  const sel = witnessSelectionOrReport(ctx, { ...options, witnesses: options.witnesses ?? ALL_WITNESSES });
  if (!sel) return EXIT.BAD_INPUT;
  let report: RunReport | number;
  if (source === '-' || existsSync(source)) {
    try {
      report = reportFromFile(source);
    } catch (error) {
      ctx.io.err(`tlbsim: ${source}: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
  } else if (options.redis) {
    report = await reportOfJob(ctx, source, options);
  } else {
    ctx.io.err(`tlbsim: ${source}: no such file (give --redis <url> to read the report of job ${source})\n`);
    return EXIT.BAD_INPUT;
  }
  if (typeof report === 'number') return report;
  ctx.io.out(formatTrace(report, sel));
  return EXIT.OK;
}

/** `tlbsim trace <report.json|job>`: the witnesses' causal chains as trace-cmd style text. */
export function traceCommand(ctx: CliContext): Command {
  const command = new Command('trace')
    .description(
      "print the causal chains of a report's witnesses as text (trace-cmd style: actor, host, timestamp, event), in time order",
    )
    .argument(
      '<report>',
      'a report file (run --json, or a `tlbsim export`; - for standard input), or a job id with --redis',
    )
    .option('--redis <url>', 'Redis URL, to read the report of a job (default $TLBSIM_REDIS_URL or $REDIS_URL)')
    .option('--redis-cluster <nodes>', REDIS_CLUSTER_HELP)
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .option('--witnesses <n>', 'witnesses to print (default: all kept), plus the first of each class not among them')
    .option('--witness-class <class>', 'only witnesses of this class')
    .option('--witness-vm <n>', 'only witnesses of this VM (fleet-wide VM number)')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input (no such file or job, no report), ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (source: string, options: TraceOptions) => ctx.setExitCode(await traceAction(ctx, source, options)));
  return resolveRedisBeforeAction(command, false);
}
