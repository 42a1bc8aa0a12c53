import { Command } from 'commander';
import { policyListErrors, ScenarioInputError } from '@tlbsim/contracts';
import { comparisonAt, comparisonVerdictOf, RunReport, runReplications, sensitivityOf } from '@tlbsim/engine';
import { SweepsService } from '@tlbsim/jobs';
import { POLICY_NAMES, SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { ComparisonResult, comparisonResult, formatComparison } from '../compare.formatter';
import { CompareJobFailedError, runComparisonOnWorkers } from './compare.workers';
import { defaultPrefix, redisArgsOf, resolveRedisBeforeAction, withRedisService } from './redis.options';
import { formatSensitivity } from '../sensitivity.formatter';
import { EXIT } from '../exit-codes';
import { addProgressOption, createProgressReporter, ProgressMode } from '../progress.reporter';
import { formatInputErrors, loadScenarioFile } from '../scenario.loader';
import { addReplicationsOption, addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim compare`. */
export interface CompareOptions extends ScenarioOptions {
  progress?: ProgressMode;
  policies: string;
  json?: boolean;
  /** `--sensitivity`: the verdict against each unsourced cost parameter's range. */
  sensitivity?: boolean;
  /** `--redis`: run the replications (and the sensitivity's re-runs) on the workers of this Redis. */
  redis?: string;
  /** Folded into {@link redis} before the action. */
  redisCluster?: string;
  prefix: string;
}

/**
 * Splits and checks `--policies a,b,c` against `POLICY_NAMES`.
 *
 * @throws ScenarioInputError naming each unknown or repeated policy and the valid ones
 */
export function parsePolicies(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const errors = policyListErrors(names, text);
  if (errors.length > 0) throw new ScenarioInputError(errors);
  return names;
}

/** Loads the scenario once and derives one config per policy. */
function configsFor(file: string, options: CompareOptions): SimConfig[] {
  const policies = parsePolicies(options.policies);
  const base = loadScenarioFile(file, scenarioOverrides(options));
  return policies.map((policy) => ({ ...base, kvm: { ...base.kvm, policy: policy as SimConfig['kvm']['policy'] } }));
}

/** Runs the replications of every policy of a comparison (`runs[p]`, seed order); `note` prefixes its progress label. */
type ComparisonRunner = (configs: readonly SimConfig[], note?: string) => Promise<RunReport[][]>;

/** The action of `tlbsim compare`; returns the exit code. */
export async function compareAction(ctx: CliContext, file: string, options: CompareOptions): Promise<number> {
  let configs: SimConfig[];
  try {
    configs = configsFor(file, options);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  const url = options.redis;
  if (!url) return compareWith(ctx, configs, options, (cs, note) => runComparison(ctx, cs, options.progress, note));
  return withRedisService(
    () => new SweepsService({ redisUrl: url, prefix: options.prefix }),
    url,
    async (sweeps) => {
      if ((await sweeps.liveWorkers()) === 0)
        ctx.io.err(
          `tlbsim: no live workers on ${url}: the runs wait for \`tlbsim worker ${redisArgsOf(url).join(' ')}\`\n`,
        );
      try {
        // Sensitivity re-runs go side by side (parallel): each its own compare job, no progress bar of its own.
        return await compareWith(
          ctx,
          configs,
          options,
          (cs, note) => runComparisonOnWorkers(ctx, sweeps, cs, note ? 'none' : options.progress, note),
          true,
        );
      } catch (error) {
        if (error instanceof ScenarioInputError) {
          ctx.io.err(formatInputErrors(file, error));
          return EXIT.BAD_INPUT;
        }
        if (!(error instanceof CompareJobFailedError)) throw error;
        ctx.io.err(`tlbsim: ${error.message}\n`);
        return EXIT.RUN_FAILED;
      }
    },
  );
}

/** Runs the comparison (and `--sensitivity`) with `run`, prints it; returns the exit code. */
async function compareWith(
  ctx: CliContext,
  configs: SimConfig[],
  options: CompareOptions,
  run: ComparisonRunner,
  parallel = false,
): Promise<number> {
  const runs = await run(configs);
  const result: ComparisonResult = comparisonResult(runs);
  let text = options.json ? '' : formatComparison(result, runs);
  if (options.sensitivity) {
    const verdict = comparisonVerdictOf(runs);
    result.sensitivity = await sensitivityOf(
      configs[0],
      verdict,
      async (c) => comparisonVerdictOf(await run(comparisonAt(configs, c), describe(c, configs[0]))),
      { parallel },
    );
    text += formatSensitivity(verdict, result.sensitivity);
  }
  ctx.io.out(options.json ? `${JSON.stringify(result)}\n` : text);
  return EXIT.OK;
}

/**
 * Runs every policy's replications, one after the other. Every policy runs
 * the same replication seeds (common random numbers): its overheads are
 * paired differences.
 */
async function runComparison(
  ctx: CliContext,
  configs: readonly SimConfig[],
  mode: ProgressMode | undefined,
  note = '',
): Promise<RunReport[][]> {
  const runs: RunReport[][] = [];
  for (const [i, config] of configs.entries()) {
    const n = config.run.replications;
    runs.push(
      await runReplications(config, async (c, rep) => {
        const label = `${note}${config.kvm.policy} (${i + 1}/${configs.length})${n > 1 ? ` seed ${c.seed} (${rep + 1}/${n})` : ''}`;
        const progress = createProgressReporter(ctx.io, label, mode);
        try {
          return await ctx.run(c, { onProgress: (p) => progress.update(p) });
        } finally {
          progress.stop();
        }
      }),
    );
  }
  return runs;
}

/** `costs.x=v: ` for the progress label of a sensitivity re-run. */
function describe(c: SimConfig, base: SimConfig): string {
  const changed = (Object.keys(c.costs) as (keyof SimConfig['costs'])[]).filter((k) => c.costs[k] !== base.costs[k]);
  return changed.map((k) => `costs.${k}=${c.costs[k]}: `).join('');
}

/** `tlbsim compare <scenario> --policies a,b,c`: one run per policy, side by side. */
export function compareCommand(ctx: CliContext): Command {
  const command = new Command('compare')
    .description('run a scenario under several flush policies and compare them side by side')
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)')
    .requiredOption(
      '--policies <list>',
      `comma-separated policies, the first is the baseline (${POLICY_NAMES.join(', ')})`,
    );
  addProgressOption(addReplicationsOption(addScenarioOptions(command, false)))
    .option(
      '--json',
      'print { scenario, seeds, policies, reports, timeOverheadVsFirst, timeOverheadVsFirstCi95, estimates, cheapestCorrect, ... } as one JSON object',
    )
    .option(
      '--sensitivity',
      'also re-run the comparison over each unsourced cost parameter\'s range (docs/costs.md "Sensitivity"): where the verdict holds, or its break-even value',
    )
    .option(
      '--redis <url>',
      'run on the workers of this Redis: one compare job whose points (each policy on each replication seed) run side by side; with --sensitivity, its re-runs too',
    )
    .option('--redis-cluster <nodes>', 'as --redis, on a Redis Cluster: seed nodes host:port[,host:port...]')
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} a run failed (or the compare job on the workers failed).`,
    )
    .action(async (file: string, options: CompareOptions) => ctx.setExitCode(await compareAction(ctx, file, options)));
  return resolveRedisBeforeAction(command, false, false);
}
