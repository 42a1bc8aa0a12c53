import { writeFileSync } from 'fs';
import { Command } from 'commander';
import { accessesTotalOf, planSweep, ScenarioInputError, SWEEP_LIMITS, SweepPlan, SweepRow } from '@tlbsim/contracts';
import { runSweepInProcess, sweepSummaryOf } from '@tlbsim/engine';
import { SweepsService } from '@tlbsim/jobs';
import { POLICY_NAMES } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { addProgressOption, createProgressReporter, ProgressMode } from '../progress.reporter';
import { formatInputErrors, readScenarioFile } from '../scenario.loader';
import { formatSweep, SweepResult, sweepCsv } from '../sweep.formatter';
import { parsePolicies } from './compare.command';
import { followPoints } from './points.follow';
import { defaultPrefix, redisArgsOf, resolveRedisBeforeAction, withRedisService } from './redis.options';
import { addReplicationsOption, addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim sweep`. */
export interface SweepOptions extends ScenarioOptions {
  grid: string[];
  policies?: string;
  seeds?: string;
  redis?: string;
  /** Folded into {@link redis} before the action. */
  redisCluster?: string;
  prefix: string;
  json?: boolean;
  csv?: string;
  progress?: ProgressMode;
}

/** Reads the scenario and expands the sweep. @throws ScenarioInputError */
function planOf(file: string, options: SweepOptions): SweepPlan {
  const policies = options.policies === undefined ? undefined : parsePolicies(options.policies);
  const seeds = options.seeds === undefined ? undefined : Number(options.seeds);
  return planSweep(readScenarioFile(file), {
    grid: options.grid,
    policies,
    seeds,
    overrides: scenarioOverrides(options),
  });
}

/**
 * Guest accesses a sweep run in point order is expected to make in all, after
 * `done` points made `accesses`: those, plus for each point left its
 * {@link accessesTotalOf}, or for one that ends at `run.simulatedMs` (far
 * fewer) the mean of the points done, within that bound.
 */
export function sweepAccessesExpected(plan: SweepPlan, done: number, accesses: number): number {
  const mean = done > 0 ? accesses / done : Infinity;
  return plan.points.slice(done).reduce((total, point) => {
    const bound = accessesTotalOf(point.config);
    return total + (point.config.run.simulatedMs > 0 ? Math.min(bound, mean) : bound);
  }, accesses);
}

/** Runs the points in this process, with a progress bar on a TTY. */
async function runLocally(ctx: CliContext, plan: SweepPlan, mode?: ProgressMode): Promise<SweepRow[]> {
  const progress = createProgressReporter(ctx.io, 'sweep', mode);
  let accesses = 0;
  try {
    return await runSweepInProcess(plan, {
      run: (config) => ctx.run(config),
      onPoint: (row, done) => {
        accesses += row.accesses;
        progress.update({
          window: done,
          windowsEstimate: plan.points.length,
          accesses,
          accessesTotal: sweepAccessesExpected(plan, done, accesses),
        });
      },
    });
  } finally {
    progress.stop();
  }
}

/** Submits the sweep to the workers and waits for its rows; null if it failed. */
async function runOnWorkers(
  ctx: CliContext,
  plan: SweepPlan,
  options: SweepOptions & { redis: string },
): Promise<SweepRow[] | null> {
  return withRedisService(
    () => new SweepsService({ redisUrl: options.redis, prefix: options.prefix }),
    options.redis,
    async (sweeps) => {
      if ((await sweeps.liveWorkers()) === 0)
        ctx.io.err(
          `tlbsim: no live workers on ${options.redis}: the points wait for \`tlbsim worker ${redisArgsOf(options.redis).join(' ')}\`\n`,
        );
      const { id } = await sweeps.submit(plan);
      ctx.io.err(`tlbsim: submitted sweep ${id} (${plan.points.length} points)\n`);
      await followPoints(ctx, sweeps, id, 'sweep', options.progress);
      const view = await sweeps.get(id);
      if (view?.state === 'completed') return view.rows;
      ctx.io.err(`tlbsim: sweep ${id} ${view?.state ?? 'expired'}${view?.error ? `: ${view.error}` : ''}\n`);
      return null;
    },
  );
}

/** The action of `tlbsim sweep`; returns the exit code. */
export async function sweepAction(ctx: CliContext, file: string, options: SweepOptions): Promise<number> {
  let plan: SweepPlan;
  try {
    plan = planOf(file, options);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  const started = Date.now();
  const rows = options.redis
    ? await runOnWorkers(ctx, plan, { ...options, redis: options.redis })
    : await runLocally(ctx, plan, options.progress);
  if (!rows) return EXIT.RUN_FAILED;
  const result: SweepResult = {
    scenario: plan.name,
    gridKeys: plan.gridKeys,
    policies: plan.policies,
    seeds: plan.seeds,
    rows,
    summary: sweepSummaryOf(rows, plan.policies),
  };
  if (options.csv) {
    try {
      writeFileSync(options.csv, sweepCsv(result));
    } catch (error) {
      ctx.io.err(`tlbsim: --csv ${options.csv}: ${(error as Error).message}\n`);
      return EXIT.BAD_INPUT;
    }
  }
  ctx.io.out(options.json ? `${JSON.stringify(result)}\n` : formatSweep(result));
  const sec = (Date.now() - started) / 1000;
  ctx.io.err(
    `tlbsim: ${rows.length} points in ${sec.toFixed(1)} s (${(rows.length / Math.max(sec, 1e-3)).toFixed(1)} points/s)\n`,
  );
  return EXIT.OK;
}

/** Commander collector for the repeatable `--grid`. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `tlbsim sweep <scenario> --grid key=v1,v2 ...`: the cross product of a grid, policies and seeds. */
export function sweepCommand(ctx: CliContext): Command {
  const command = new Command('sweep')
    .description(
      'run the cross product of a parameter grid, policies and seeds; one table row per point (in process, or spread over the workers with --redis)',
    )
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)')
    .option(
      '--grid <key=v1,v2,...>',
      `a scenario key and its values, e.g. events.nestedTransitionsPerSec=0,2000,20000 (repeatable, at most ${SWEEP_LIMITS.gridKeysMax})`,
      collect,
      [],
    )
    .option(
      '--policies <list>',
      `comma-separated policies of each point, the first is the baseline of the overhead column (${POLICY_NAMES.join(', ')})`,
    )
    .option('--seeds <n>', `seeds per point: the scenario's seed, seed+1, ... (1..${SWEEP_LIMITS.seedsMax})`, '1');
  addProgressOption(addReplicationsOption(addScenarioOptions(command)))
    .option(
      '--redis <url>',
      'run the points on the workers of this Redis (one sweep job; each point runs in process on a worker)',
    )
    .option('--redis-cluster <nodes>', 'as --redis, on a Redis Cluster: seed nodes host:port[,host:port...]')
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .option('--json', 'print { scenario, gridKeys, policies, seeds, rows, summary } as one JSON object')
    .option('--csv <file>', 'also write the rows as CSV to <file>')
    .addHelpText(
      'after',
      `\nLimits: at most ${SWEEP_LIMITS.pointsMax} points and ${SWEEP_LIMITS.accessesMax} guest accesses in all.\n` +
        `Exit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input (or a sweep over the limits), ${EXIT.RUN_FAILED} a point failed or Redis is unreachable.`,
    )
    .action(async (file: string, options: SweepOptions) => ctx.setExitCode(await sweepAction(ctx, file, options)));
  return resolveRedisBeforeAction(command, false, false);
}
