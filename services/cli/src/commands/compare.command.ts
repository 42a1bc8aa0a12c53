import { Command } from 'commander';
import { policyListErrors, ScenarioInputError } from '@tlbsim/contracts';
import { RunReport, runReplications } from '@tlbsim/engine';
import { POLICY_NAMES, SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { comparisonResult, formatComparison } from '../compare.formatter';
import { EXIT } from '../exit-codes';
import { addProgressOption, createProgressReporter, ProgressMode } from '../progress.reporter';
import { formatInputErrors, loadScenarioFile } from '../scenario.loader';
import { addReplicationsOption, addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim compare`. */
export interface CompareOptions extends ScenarioOptions {
  progress?: ProgressMode;
  policies: string;
  json?: boolean;
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
  // Every policy runs the same replication seeds (common random numbers): its overheads are paired differences.
  const runs: RunReport[][] = [];
  for (const [i, config] of configs.entries()) {
    const n = config.run.replications;
    runs.push(
      await runReplications(config, async (c, rep) => {
        const label = `${config.kvm.policy} (${i + 1}/${configs.length})${n > 1 ? ` seed ${c.seed} (${rep + 1}/${n})` : ''}`;
        const progress = createProgressReporter(ctx.io, label, options.progress);
        try {
          return await ctx.run(c, { onProgress: (p) => progress.update(p) });
        } finally {
          progress.stop();
        }
      }),
    );
  }
  const result = comparisonResult(runs);
  ctx.io.out(options.json ? `${JSON.stringify(result)}\n` : formatComparison(result, runs));
  return EXIT.OK;
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
    .addHelpText('after', `\nExit codes: ${EXIT.OK} ok, ${EXIT.BAD_INPUT} bad input, ${EXIT.RUN_FAILED} a run failed.`)
    .action(async (file: string, options: CompareOptions) => ctx.setExitCode(await compareAction(ctx, file, options)));
  return command;
}
