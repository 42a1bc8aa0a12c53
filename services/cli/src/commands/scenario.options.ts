import { Command } from 'commander';
import { ScenarioInputError, withShorthands } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { formatInputErrors, loadScenarioFile } from '../scenario.loader';

/** The scenario-shaping options shared by the commands that take a scenario file (`run`, `submit`, `compare`, `sweep`, `hunt`, `shrink`). */
export interface ScenarioOptions {
  /** `--set dotted.path=value`, repeatable, applied in order. */
  set: string[];
  /** `--seed N`: shorthand for `--set seed=N`. */
  seed?: string;
  /** `--shards N`: shorthand for `--set run.shards=N`. */
  shards?: string;
  /** `--policy P`: shorthand for `--set kvm.policy=P` (not on `compare`). */
  policy?: string;
  /** `--replications N` (`run`, `compare`, `sweep`): shorthand for `--set run.replications=N`. */
  replications?: string;
}

/** Commander collector for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds `--set`, `--seed`, `--shards` (and `--policy` unless `withPolicy` is
 * false) to a command.
 */
export function addScenarioOptions(command: Command, withPolicy = true): Command {
  command
    .option('--set <path=value>', 'override a scenario key, e.g. fleet.hosts=4 (repeatable)', collect, [])
    .option('--seed <n>', 'shorthand for --set seed=<n>')
    .option('--shards <n>', 'shorthand for --set run.shards=<n>');
  if (withPolicy) command.option('--policy <name>', 'shorthand for --set kvm.policy=<name>');
  return command;
}

/** Adds `--replications N` (`run`, `compare`, `sweep`): runs from derived seeds, figures with 95% intervals. */
export function addReplicationsOption(command: Command): Command {
  return command.option(
    '--replications <n>',
    'shorthand for --set run.replications=<n>: runs from seeds derived from the scenario seed, each figure a mean with a 95% interval',
  );
}

/**
 * The overrides the options stand for: every `--set` in order, then the
 * shorthands (so they win over `--set`).
 */
export function scenarioOverrides(options: ScenarioOptions): string[] {
  return withShorthands(options.set, options);
}

/**
 * Loads `file` with the options' overrides; on bad input prints every problem
 * (dotted path, value, limit) to stderr and returns null, so the command
 * exits with code 2. Other errors propagate.
 */
export function loadScenarioOrReport(ctx: CliContext, file: string, options: ScenarioOptions): SimConfig | null {
  try {
    return loadScenarioFile(file, scenarioOverrides(options));
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    ctx.io.err(formatInputErrors(file, error));
    return null;
  }
}
