import { Command } from 'commander';
import { policyListErrors, ScenarioInputError } from '@tlbsim/contracts';
import { RunReport, runReplications, sensitivityOf } from '@tlbsim/engine';
import { POLICY_NAMES, SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { ComparisonResult, comparisonResult, formatComparison } from '../compare.formatter';
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
  const runs = await runComparison(ctx, configs, options.progress);
  const result: ComparisonResult = comparisonResult(runs);
  let text = options.json ? '' : formatComparison(result, runs);
  if (options.sensitivity) {
    const verdict = verdictOf(result);
    result.sensitivity = await sensitivityOf(configs[0], verdict, async (c) =>
      verdictOf(
        comparisonResult(await runComparison(ctx, configsAt(c, configs), options.progress, describe(c, configs[0]))),
      ),
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

/** The verdict the sensitivity follows: the cheapest correct policy, else the cheapest with no violation. */
function verdictOf(r: ComparisonResult): string | null {
  return r.cheapestCorrect ?? r.cheapestWithoutViolation;
}

/** The policies' configs with the costs of `c` (a sensitivity re-run). */
function configsAt(c: SimConfig, configs: readonly SimConfig[]): SimConfig[] {
  return configs.map((p) => ({ ...p, costs: c.costs }));
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
    .addHelpText('after', `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} a run failed.`)
    .action(async (file: string, options: CompareOptions) => ctx.setExitCode(await compareAction(ctx, file, options)));
  return command;
}
