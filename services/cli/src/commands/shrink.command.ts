import { writeFileSync } from 'fs';
import { Command } from 'commander';
import { ScenarioInputError } from '@tlbsim/contracts';
import { runShrink, ShrinkResult } from '@tlbsim/engine';
import { VIOLATION_CLASSES, ViolationClass } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { formatInputErrors, readScenarioFile } from '../scenario.loader';
import { formatShrink, minimalScenarioYaml, shrinkJson } from '../shrink.formatter';
import { addScenarioOptions, ScenarioOptions, scenarioOverrides } from './scenario.options';

/** Options of `tlbsim shrink`. */
export interface ShrinkOptions extends ScenarioOptions {
  class?: string;
  seeds: string;
  out?: string;
  json?: boolean;
}

/** Checks `--class` and `--seeds`. @throws ScenarioInputError */
function checkOptions(options: ShrinkOptions): { cls?: ViolationClass; seeds: number } {
  const cls = options.class;
  if (cls !== undefined && !(VIOLATION_CLASSES as readonly string[]).includes(cls)) {
    throw new ScenarioInputError([{ path: 'class', value: cls, constraint: 'isIn', message: `--class: ${cls} is not one of ${VIOLATION_CLASSES.join(', ')}` }]);
  }
  const seeds = Number(options.seeds);
  if (!Number.isInteger(seeds) || seeds < 0 || seeds > 1000) {
    throw new ScenarioInputError([{ path: 'seeds', value: options.seeds, constraint: 'range', message: `--seeds: expected an integer 0..1000, got ${options.seeds}` }]);
  }
  return { cls: cls as ViolationClass | undefined, seeds };
}

/** The action of `tlbsim shrink`; returns the exit code. */
export async function shrinkAction(ctx: CliContext, file: string, options: ShrinkOptions): Promise<number> {
  const started = Date.now();
  let input: unknown;
  let result: ShrinkResult;
  try {
    const { cls, seeds } = checkOptions(options);
    input = readScenarioFile(file);
    result = await runShrink({ input, overrides: scenarioOverrides(options), violationClass: cls, seeds });
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return EXIT.BAD_INPUT;
  }
  const elapsedMs = Date.now() - started;
  if (options.out) writeFileSync(options.out, minimalScenarioYaml(input, result));
  ctx.io.out(options.json ? `${JSON.stringify(shrinkJson(input, result, elapsedMs))}\n` : formatShrink(input, result, elapsedMs));
  return EXIT.OK;
}

/** `tlbsim shrink <scenario>`: a smaller scenario with a violation of the same class. */
export function shrinkCommand(ctx: CliContext): Command {
  const command = new Command('shrink')
    .description('delta-debug a scenario with a violation down to a small one with a violation of the same class (fleet, accesses, event rates, working set with the seed fixed, then seeds)')
    .argument('<scenario>', 'scenario file with a violation (YAML or JSON; - for standard input)')
    .option('--class <class>', `the class to keep (${VIOLATION_CLASSES.join(', ')}; default: that of the first violation)`)
    .option('--seeds <n>', 'other seeds tried after the keys are shrunk', '16');
  addScenarioOptions(command)
    .option('--out <file>', 'write the minimal scenario (YAML) to <file>')
    .option('--json', 'print { violationClass, runs, elapsedMs, before, after, overrides, scenario, witness }')
    .addHelpText('after', `\nExit codes: ${EXIT.OK} shrunk, ${EXIT.BAD_INPUT} bad input or no violation (of the class) to shrink, ${EXIT.RUN_FAILED} run failed.`)
    .action(async (file: string, options: ShrinkOptions) => ctx.setExitCode(await shrinkAction(ctx, file, options)));
  return command;
}
