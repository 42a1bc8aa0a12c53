#!/usr/bin/env node
/**
 * Entry point of the `tlbsim` command. Commands are registered in
 * commands.registry.ts and loaded only when run, so a command's start-up
 * does not pay for the others' dependencies.
 */
import './kernel-checks.env';
import type { SimConfig } from '@tlbsim/sim-core';
import { processIo, type SimulationRunner } from './cli.context';
import { commandsFor } from './commands.registry';
import { runCli } from './program';

/** The in-process runner, loaded with the engine on the first run (`schema` and `--help` never need it). */
const runInProcess: SimulationRunner = async (config: SimConfig, opts) =>
  (await import('@tlbsim/engine')).runInProcess(config, opts);

void commandsFor(process.argv)
  .then((commands) => runCli(process.argv, commands, processIo(), runInProcess))
  .then((code) => {
    process.exitCode = code;
  });
