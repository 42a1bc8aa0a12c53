import { writeFileSync } from 'fs';
import { Command } from 'commander';
import { parseHuntOptions, ScenarioInputError } from '@tlbsim/contracts';
import { HuntRequest, HuntResult, runHunt } from '@tlbsim/engine';
import { SweepsService } from '@tlbsim/jobs';
import { VIOLATION_CLASSES } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { failingScenarioYaml, formatHunt, huntJson } from '../hunt.formatter';
import { addProgressOption, ProgressMode } from '../progress.reporter';
import { formatInputErrors, readScenarioFile } from '../scenario.loader';
import { runSearchOnWorkers } from './points.follow';
import { defaultPrefix, resolveRedisBeforeAction, withRedisService } from './redis.options';
import { addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim hunt`. */
export interface HuntOptions extends ScenarioOptions {
  vary: string[];
  budget?: string;
  time?: string;
  huntSeed: string;
  class?: string;
  redis?: string;
  /** Folded into {@link redis} before the action. */
  redisCluster?: string;
  prefix: string;
  json?: boolean;
  out?: string;
  progress?: ProgressMode;
}

/** The request of the options. @throws ScenarioInputError */
function requestOf(file: string, options: HuntOptions): HuntRequest {
  const params = parseHuntOptions({
    vary: options.vary,
    budget: options.budget,
    time: options.time,
    huntSeed: options.huntSeed,
    class: options.class,
  });
  return { input: readScenarioFile(file), overrides: scenarioOverrides(options), ...params };
}

/** Runs the hunt here, or as one hunt job on the workers; null if the job failed. */
async function hunt(ctx: CliContext, request: HuntRequest, options: HuntOptions): Promise<HuntResult | null> {
  const onProgress = (p: { runs: number }): void => {
    if (ctx.io.progressStream && options.progress !== 'none') ctx.io.err(`\rtlbsim hunt: ${p.runs} runs`);
  };
  if (!options.redis) return runHunt(request, { onProgress });
  const url = options.redis;
  const name = (request.input as { name?: unknown } | null)?.name;
  return withRedisService(
    () => new SweepsService({ redisUrl: url, prefix: options.prefix }),
    url,
    (sweeps) =>
      runSearchOnWorkers<HuntResult>(
        ctx,
        sweeps,
        () => sweeps.submitSearch('hunt', request, `hunt: ${typeof name === 'string' ? name : ''}`),
        url,
        options.progress,
      ),
  );
}

/** The action of `tlbsim hunt`; returns the exit code (1 when a violation was found). */
export async function huntAction(ctx: CliContext, file: string, options: HuntOptions): Promise<number> {
  let request: HuntRequest;
  let result: HuntResult | null;
  try {
    request = requestOf(file, options);
    result = await hunt(ctx, request, options);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  if (!result) return EXIT.RUN_FAILED;
  if (ctx.io.progressStream && !options.redis && options.progress !== 'none') ctx.io.err('\n');
  const seed = Number(options.huntSeed);
  if (options.out && result.found) writeFileSync(options.out, failingScenarioYaml(request.input, result, seed));
  ctx.io.out(
    options.json ? `${JSON.stringify(huntJson(request.input, result))}\n` : formatHunt(request.input, result, seed),
  );
  return result.found ? EXIT.VIOLATIONS : EXIT.OK;
}

/** Commander collector for the repeatable `--vary`. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `tlbsim hunt <scenario> --policy P --vary key=min..max ...`: search for a violating configuration. */
export function huntCommand(ctx: CliContext): Command {
  const command = new Command('hunt')
    .description(
      'search seeds and varied keys for a run with a violation (random, then around the runs that came closest); prints the failing scenario and its witness',
    )
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)')
    .option(
      '--vary <key=min..max|key=a,b>',
      'a key to vary: a numeric range or values to pick from, e.g. platform.enlightenedTlb=false,true (repeatable)',
      collect,
      [],
    )
    .option('--budget <runs>', 'most runs (default 100 unless --time)')
    .option('--time <duration>', 'most wall time, e.g. 30s, 10m, 1h')
    .option('--hunt-seed <n>', 'seed of the search itself (the same seed tries the same runs)', '1')
    .option('--class <class>', `hunt only this violation class (${VIOLATION_CLASSES.join(', ')})`);
  addProgressOption(addScenarioOptions(command))
    .option(
      '--redis <url>',
      'run the hunt as one job on the workers of this Redis (batches of runs spread over them; the same result as in process)',
    )
    .option('--redis-cluster <nodes>', 'as --redis, on a Redis Cluster: seed nodes host:port[,host:port...]')
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .option('--out <file>', 'write the failing scenario (YAML) to <file>, e.g. for tlbsim shrink')
    .option('--json', 'print { found, runs, rejected, runsPerSec, elapsedMs, scenario, overrides, witness, coverage }')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} no violation, ${EXIT.VIOLATIONS} violation found, ${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} run failed or Redis unreachable.`,
    )
    .action(async (file: string, options: HuntOptions) => ctx.setExitCode(await huntAction(ctx, file, options)));
  return resolveRedisBeforeAction(command, false, false);
}
