import { writeFileSync } from 'fs';
import { Command } from 'commander';
import { parseShrinkOptions, ScenarioInputError, SHRINK_LIMITS } from '@tlbsim/contracts';
import { runShrink, ShrinkRequest, ShrinkResult } from '@tlbsim/engine';
import { SweepsService } from '@tlbsim/jobs';
import { VIOLATION_CLASSES } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption, ProgressMode } from '../progress.reporter';
import { formatInputErrors, readScenarioFile } from '../scenario.loader';
import { formatShrink, minimalScenarioYaml, shrinkJson } from '../shrink.formatter';
import { runSearchOnWorkers } from './points.follow';
import { defaultPrefix, resolveRedisBeforeAction, withRedisService } from './redis.options';
import { addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim shrink`. */
export interface ShrinkOptions extends ScenarioOptions {
  class?: string;
  seeds: string;
  out?: string;
  json?: boolean;
  redis?: string;
  prefix: string;
  progress?: ProgressMode;
}

/** Shrinks here, or as one shrink job on the workers; null if the job failed. */
function shrink(ctx: CliContext, request: ShrinkRequest, options: ShrinkOptions): Promise<ShrinkResult | null> {
  if (!options.redis) return runShrink(request);
  const url = options.redis;
  const name = (request.input as { name?: unknown } | null)?.name;
  return withRedisService(
    () => new SweepsService({ redisUrl: url, prefix: options.prefix }),
    url,
    (sweeps) =>
      runSearchOnWorkers<ShrinkResult>(
        ctx,
        sweeps,
        () => sweeps.submitSearch('shrink', request, `shrink: ${typeof name === 'string' ? name : ''}`),
        url,
        options.progress,
      ),
  );
}

/** The action of `tlbsim shrink`; returns the exit code. */
export async function shrinkAction(ctx: CliContext, file: string, options: ShrinkOptions): Promise<number> {
  const started = Date.now();
  let input: unknown;
  let result: ShrinkResult | null;
  try {
    const { violationClass, seeds } = parseShrinkOptions({ class: options.class, seeds: options.seeds });
    input = readScenarioFile(file);
    result = await shrink(ctx, { input, overrides: scenarioOverrides(options), violationClass, seeds }, options);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  if (!result) return EXIT.RUN_FAILED;
  const elapsedMs = Date.now() - started;
  if (options.out) writeFileSync(options.out, minimalScenarioYaml(input, result));
  ctx.io.out(
    options.json ? `${JSON.stringify(shrinkJson(input, result, elapsedMs))}\n` : formatShrink(input, result, elapsedMs),
  );
  return EXIT.OK;
}

/** `tlbsim shrink <scenario>`: a smaller scenario with a violation of the same class. */
export function shrinkCommand(ctx: CliContext): Command {
  const command = new Command('shrink')
    .description(
      'delta-debug a scenario with a violation down to a small one with a violation of the same class (fleet, accesses, event rates, working set with the seed fixed, then seeds)',
    )
    .argument('<scenario>', 'scenario file with a violation (YAML or JSON; - for standard input)')
    .option(
      '--class <class>',
      `the class to keep (${VIOLATION_CLASSES.join(', ')}; default: that of the first violation)`,
    )
    .option(
      '--seeds <n>',
      `other seeds tried after the keys are shrunk (0..${SHRINK_LIMITS.seedsMax})`,
      String(SHRINK_LIMITS.seedsDefault),
    );
  addProgressOption(addScenarioOptions(command))
    .option(
      '--redis <url>',
      'run the shrink as one job on the workers of this Redis (each batch of runs spread over them; the same result as in process)',
    )
    .option('--redis-cluster <nodes>', 'as --redis, on a Redis Cluster: seed nodes host:port[,host:port...]')
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .option('--out <file>', 'write the minimal scenario (YAML) to <file>')
    .option('--json', 'print { violationClass, runs, elapsedMs, before, after, overrides, scenario, witness }')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} shrunk, ${EXIT.BAD_INPUT} bad input or no violation (of the class) to shrink, ${EXIT.RUN_FAILED} run failed or Redis unreachable.`,
    )
    .action(async (file: string, options: ShrinkOptions) => ctx.setExitCode(await shrinkAction(ctx, file, options)));
  return resolveRedisBeforeAction(command, false, false);
}
