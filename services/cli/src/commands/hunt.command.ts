import { writeFileSync } from 'fs';
import { Command } from 'commander';
import { HUNT_LIMITS, parseVaryAxis, ScenarioInputError, SweepPlan, VaryAxis } from '@tlbsim/contracts';
import { HuntEvaluation, HuntRequest, HuntResult, runHunt } from '@tlbsim/engine';
import { SweepsService } from '@tlbsim/jobs';
import { SimConfig, VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { failingScenarioYaml, formatHunt, huntJson } from '../hunt.formatter';
import { formatInputErrors, readScenarioFile } from '../scenario.loader';
import { defaultPrefix, redisArgsOf, resolveRedisBeforeAction, withRedisService } from './redis.options';
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
}

/** Runs handed to the workers at once with `--redis`. */
const REDIS_BATCH = 8;

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function inputError(path: string, value: unknown, message: string): ScenarioInputError {
  return new ScenarioInputError([{ path, value, constraint: path, message }]);
}

/** `90`, `30s`, `10m`, `1.5h` -> ms. @throws ScenarioInputError */
export function parseDurationMs(text: string): number {
  const m = DURATION.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : NaN;
  if (!(ms > 0) || ms > HUNT_LIMITS.timeMaxMs) throw inputError('time', text, `--time: expected a duration up to 24h such as 30s, 10m or 1h, got ${text}`);
  return ms;
}

/** The request of the options. @throws ScenarioInputError */
function requestOf(file: string, options: HuntOptions): HuntRequest {
  const axes: VaryAxis[] = [];
  const errors = [];
  if (options.vary.length > HUNT_LIMITS.varyKeysMax) errors.push({ path: 'vary', value: options.vary.length, constraint: 'max', message: `--vary: at most ${HUNT_LIMITS.varyKeysMax} keys` });
  for (const text of options.vary) {
    const axis = parseVaryAxis(text);
    if ('message' in axis) errors.push(axis);
    else axes.push(axis);
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
  const budget = options.budget === undefined ? undefined : Number(options.budget);
  if (budget !== undefined && (!Number.isInteger(budget) || budget < 1 || budget > HUNT_LIMITS.budgetMax)) throw inputError('budget', options.budget, `--budget: expected runs 1..${HUNT_LIMITS.budgetMax}, got ${options.budget}`);
  const seed = Number(options.huntSeed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw inputError('huntSeed', options.huntSeed, `--hunt-seed: expected an integer 0..4294967295, got ${options.huntSeed}`);
  const cls = options.class;
  if (cls !== undefined && !(VIOLATION_CLASSES as readonly string[]).includes(cls)) throw inputError('class', cls, `--class: ${cls} is not one of ${VIOLATION_CLASSES.join(', ')}`);
  return {
    input: readScenarioFile(file), overrides: scenarioOverrides(options), vary: axes, budgetRuns: budget,
    timeLimitMs: options.time === undefined ? undefined : parseDurationMs(options.time), seed, violationClass: cls as ViolationClass | undefined,
  };
}

/** Evaluates batches of runs as sweeps on the workers (each run in process on a worker, to its end). */
function workersEvaluator(sweeps: SweepsService, cls: ViolationClass | undefined): (configs: SimConfig[]) => Promise<HuntEvaluation[]> {
  return async (configs) => {
    const points = configs.map((config, index) => ({ index, grid: {}, policy: config.kvm.policy, seed: config.seed, config }));
    const accessesTotal = configs.reduce((a, c) => a + c.fleet.hosts * c.fleet.vmsPerHost * c.fleet.vcpusPerVm * c.workload.accessesPerVcpu, 0);
    const plan: SweepPlan = { name: `hunt: ${configs[0]?.name ?? ''}`, gridKeys: [], policies: [...new Set(configs.map((c) => c.kvm.policy))], seeds: 1, points, accessesTotal };
    const view = await sweeps.waitFor((await sweeps.submit(plan)).id);
    if (view.state !== 'completed') throw new Error(`hunt batch ${view.id} ${view.state}: ${view.error ?? ''}`);
    return view.rows.map((r) => ({
      violations: cls ? (r.violations.byClass[cls] ?? 0) : r.violations.total, staleHits: r.coverage.staleHits,
      rootsReused: r.coverage.rootsReused, rootsReusedByOtherVm: r.coverage.rootsReusedByOtherVm, hypercalls: r.hypercalls,
    }));
  };
}

/** Runs the hunt here or on the workers. */
async function hunt(ctx: CliContext, request: HuntRequest, options: HuntOptions): Promise<HuntResult> {
  const onProgress = (p: { runs: number }): void => { if (ctx.io.progressStream) ctx.io.err(`\rtlbsim hunt: ${p.runs} runs`); };
  if (!options.redis) return runHunt(request, { onProgress });
  const url = options.redis;
  return withRedisService(() => new SweepsService({ redisUrl: url, prefix: options.prefix }), url, async (sweeps) => {
    if ((await sweeps.liveWorkers()) === 0) ctx.io.err(`tlbsim: no live workers on ${url}: the runs wait for \`tlbsim worker ${redisArgsOf(url).join(' ')}\`\n`);
    return runHunt(request, { onProgress, batchSize: REDIS_BATCH, evaluate: workersEvaluator(sweeps, request.violationClass) });
  });
}

/** The action of `tlbsim hunt`; returns the exit code (1 when a violation was found). */
export async function huntAction(ctx: CliContext, file: string, options: HuntOptions): Promise<number> {
  let request: HuntRequest;
  let result: HuntResult;
  try {
    request = requestOf(file, options);
    result = await hunt(ctx, request, options);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  if (ctx.io.progressStream) ctx.io.err('\n');
  const seed = Number(options.huntSeed);
  if (options.out && result.found) writeFileSync(options.out, failingScenarioYaml(request.input, result, seed));
  ctx.io.out(options.json ? `${JSON.stringify(huntJson(request.input, result))}\n` : formatHunt(request.input, result, seed));
  return result.found ? EXIT.VIOLATIONS : EXIT.OK;
}

/** Commander collector for the repeatable `--vary`. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `tlbsim hunt <scenario> --policy P --vary key=min..max ...`: search for a violating configuration. */
export function huntCommand(ctx: CliContext): Command {
  const command = new Command('hunt')
    .description('search seeds and varied keys for a run with a violation (random, then around the runs that came closest); prints the failing scenario and its witness')
    .argument('<scenario>', 'scenario file (YAML or JSON; - for standard input)')
    .option('--vary <key=min..max|key=a,b>', 'a key to vary: a numeric range or values to pick from, e.g. platform.enlightenedTlb=false,true (repeatable)', collect, [])
    .option('--budget <runs>', 'most runs (default 100 unless --time)')
    .option('--time <duration>', 'most wall time, e.g. 30s, 10m, 1h')
    .option('--hunt-seed <n>', 'seed of the search itself (the same seed tries the same runs)', '1')
    .option('--class <class>', `hunt only this violation class (${VIOLATION_CLASSES.join(', ')})`);
  addScenarioOptions(command)
    .option('--redis <url>', 'run the candidates on the workers of this Redis (batches of sweep points)')
    .option('--redis-cluster <nodes>', 'as --redis, on a Redis Cluster: seed nodes host:port[,host:port...]')
    .option('--prefix <prefix>', 'key prefix of tlbsim in Redis (default $TLBSIM_PREFIX)', defaultPrefix())
    .option('--out <file>', 'write the failing scenario (YAML) to <file>, e.g. for tlbsim shrink')
    .option('--json', 'print { found, runs, rejected, runsPerSec, elapsedMs, scenario, overrides, witness, coverage }')
    .addHelpText('after', `\nExit codes: ${EXIT.OK} no violation, ${EXIT.VIOLATIONS} violation found, ${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} run failed or Redis unreachable.`)
    .action(async (file: string, options: HuntOptions) => ctx.setExitCode(await huntAction(ctx, file, options)));
  return resolveRedisBeforeAction(command, false, false);
}
