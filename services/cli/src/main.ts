#!/usr/bin/env node
/**
 * Entry point of the `tlbsim` command. Register new commands (worker, submit,
 * cancel, export, replay, serve, ...) by adding their factory, written in
 * `commands/<name>.command.ts`, to {@link COMMANDS}.
 */
import { runInProcess } from '@tlbsim/engine';
import { processIo } from './cli.context';
import { compareCommand } from './commands/compare.command';
import { runCommand } from './commands/run.command';
import { schemaCommand } from './commands/schema.command';
import { CommandFactory, runCli } from './program';

/** The subcommands of `tlbsim`, in help order. */
export const COMMANDS: readonly CommandFactory[] = [runCommand, compareCommand, schemaCommand];

void runCli(process.argv, COMMANDS, processIo(), runInProcess).then((code) => {
  process.exitCode = code;
});
