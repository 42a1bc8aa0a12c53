import { readFileSync } from 'fs';
import { Command } from 'commander';
import { IncompleteExportError, replayExport } from '@tlbsim/jobs';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { createProgressReporter } from '../progress.reporter';
import { printReport } from './report.output';

/** Options of `tlbsim replay`. */
export interface ReplayOptions {
  json?: boolean;
  witnesses: string;
}

/** The action of `tlbsim replay`: exit 1 if the digest differs from the exported one. */
export async function replayAction(ctx: CliContext, file: string, options: ReplayOptions): Promise<number> {
  let lines: string[];
  try {
    lines = readFileSync(file === '-' ? 0 : file, 'utf8').split('\n');
  } catch (error) {
    ctx.io.err(`tlbsim: ${file}: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  const progress = createProgressReporter(ctx.io, 'replay');
  let result;
  try {
    result = await replayExport(lines, (p) => progress.update(p));
  } catch (error) {
    if (!(error instanceof SyntaxError) && !(error instanceof IncompleteExportError) && !/not a tlbsim job export/.test((error as Error).message)) throw error;
    ctx.io.err(`tlbsim: ${file}: ${(error as Error).message}\n`);
    return EXIT.BAD_INPUT;
  } finally {
    progress.stop();
  }
  if (!result.matches) {
    ctx.io.err(`tlbsim: digest mismatch: exported ${result.expected ?? '(none: the job did not complete)'}, replayed ${result.report.digest}\n`);
    return EXIT.VIOLATIONS;
  }
  return printReport(ctx, result.report, options);
}

/** `tlbsim replay <file>`: re-runs an exported job in process and checks its digest. */
export function replayCommand(ctx: CliContext): Command {
  return new Command('replay')
    .description('re-run an exported job (tlbsim export) in process; exit 1 if the digest differs')
    .argument('<file>', 'ndjson file from `tlbsim export` (- for standard input)')
    .option('--json', 'print the report as one JSON object (exactly the RunReport)')
    .option('--witnesses <n>', 'witnesses to print in the human report', '3')
    .action(async (file: string, options: ReplayOptions) => ctx.setExitCode(await replayAction(ctx, file, options)));
}
