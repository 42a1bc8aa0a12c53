#!/usr/bin/env node
/**
 * Entry point of the `tlbsim` command. Register new commands (worker, submit,
 * cancel, export, replay, serve, ...) by adding their factory, written in
 * `commands/<name>.command.ts`, to {@link COMMANDS}.
 */
import './kernel-checks.env';
import { runInProcess } from '@tlbsim/engine';
import { processIo } from './cli.context';
import { cancelCommand } from './commands/cancel.command';
import { resizeCommand } from './commands/resize.command';
import { compareCommand } from './commands/compare.command';
import { exportCommand } from './commands/export.command';
import { huntCommand } from './commands/hunt.command';
import { replayCommand } from './commands/replay.command';
import { traceCommand } from './commands/trace.command';
import { runCommand } from './commands/run.command';
import { schemaCommand } from './commands/schema.command';
import { serveCommand } from './commands/serve.command';
import { shrinkCommand } from './commands/shrink.command';
import { submitCommand } from './commands/submit.command';
import { sweepCommand } from './commands/sweep.command';
import { workerCommand } from './commands/worker.command';
import { workersCommand } from './commands/workers.command';
import { jobsCommand } from './commands/jobs.command';
import { statusCommand } from './commands/status.command';
import { waitCommand } from './commands/wait.command';
import { CommandFactory, runCli } from './program';

/** The subcommands of `tlbsim`, in help order. */
export const COMMANDS: readonly CommandFactory[] = [
  runCommand,
  compareCommand,
  sweepCommand,
  huntCommand,
  shrinkCommand,
  schemaCommand,
  submitCommand,
  jobsCommand,
  statusCommand,
  waitCommand,
  workerCommand,
  workersCommand,
  cancelCommand,
  resizeCommand,
  exportCommand,
  replayCommand,
  traceCommand,
  serveCommand,
];

void runCli(process.argv, COMMANDS, processIo(), runInProcess).then((code) => {
  process.exitCode = code;
});
