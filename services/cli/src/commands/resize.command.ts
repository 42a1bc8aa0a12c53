import { Command } from 'commander';
import { JobNotActiveError, ResizeInputError } from '@tlbsim/jobs';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addRedisOptions, RedisOptions, withJobs } from './redis.options';

/** Options of `tlbsim resize`. */
export interface ResizeOptions extends RedisOptions {
  shards: string;
  json?: boolean;
}

/**
 * The action of `tlbsim resize`: exit 2 for an unknown or finished job or a
 * shard count it cannot run on (one line naming `--shards` and the limit).
 */
export async function resizeAction(ctx: CliContext, id: string, options: ResizeOptions): Promise<number> {
  const shards = /^\s*-?\d+\s*$/.test(options.shards) ? Number(options.shards) : options.shards;
  if (typeof shards !== 'number' || shards < 1) {
    ctx.io.err(`tlbsim: --shards: ${JSON.stringify(options.shards)} is not a positive integer\n`);
    return EXIT.BAD_INPUT;
  }
  return withJobs(options, async (jobs) => {
    try {
      const view = await jobs.resize(id, shards);
      if (!view) {
        ctx.io.err(`tlbsim: unknown job ${id}\n`);
        return EXIT.BAD_INPUT;
      }
      const text =
        view.shards === shards
          ? `${id} ${view.state}, ${shards} shards`
          : `${id} ${view.state}, ${view.shards} shards: stops at its next window barrier and resumes on ${shards}`;
      ctx.io.out(options.json ? `${JSON.stringify(view)}\n` : `${text}\n`);
      return EXIT.OK;
    } catch (error) {
      if (error instanceof ResizeInputError) ctx.io.err(`tlbsim: --${error.message}\n`);
      else if (error instanceof JobNotActiveError) ctx.io.err(`tlbsim: ${error.message}\n`);
      else throw error;
      return EXIT.BAD_INPUT;
    }
  });
}

/**
 * `tlbsim resize <job> --shards N`: a running job stops at its next window
 * barrier, is re-partitioned into N shards and resumes (same digest); a
 * queued one changes at once.
 */
export function resizeCommand(ctx: CliContext): Command {
  const command = new Command('resize')
    .description(
      'change the shard count of a queued or running distributed job (it resumes from a snapshot; the digest does not change)',
    )
    .argument('<job>', 'job id');
  addRedisOptions(command)
    .requiredOption('--shards <n>', 'shards to run on from the next window barrier on')
    .option('--json', 'print the job view as JSON')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, unknown or finished job, ${EXIT.UNREACHABLE} Redis unreachable.`,
    )
    .action(async (id: string, options: ResizeOptions) => ctx.setExitCode(await resizeAction(ctx, id, options)));
  return command;
}
