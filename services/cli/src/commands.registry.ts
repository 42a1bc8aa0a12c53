import type { CommandFactory } from './program';

/**
 * The subcommands of `tlbsim`, in help order, each loaded only when needed:
 * `tlbsim run` loads what `run` imports, not BullMQ, ioredis and NestJS,
 * which the distributed commands and `serve` need. Register a new command
 * (written in `commands/<name>.command.ts`) here.
 */
export const COMMAND_LOADERS: readonly { name: string; load: () => Promise<CommandFactory> }[] = [
  { name: 'run', load: async () => (await import('./commands/run.command')).runCommand },
  { name: 'compare', load: async () => (await import('./commands/compare.command')).compareCommand },
  { name: 'sweep', load: async () => (await import('./commands/sweep.command')).sweepCommand },
  { name: 'hunt', load: async () => (await import('./commands/hunt.command')).huntCommand },
  { name: 'shrink', load: async () => (await import('./commands/shrink.command')).shrinkCommand },
  { name: 'schema', load: async () => (await import('./commands/schema.command')).schemaCommand },
  { name: 'submit', load: async () => (await import('./commands/submit.command')).submitCommand },
  { name: 'jobs', load: async () => (await import('./commands/jobs.command')).jobsCommand },
  { name: 'status', load: async () => (await import('./commands/status.command')).statusCommand },
  { name: 'wait', load: async () => (await import('./commands/wait.command')).waitCommand },
  { name: 'worker', load: async () => (await import('./commands/worker.command')).workerCommand },
  { name: 'workers', load: async () => (await import('./commands/workers.command')).workersCommand },
  { name: 'cancel', load: async () => (await import('./commands/cancel.command')).cancelCommand },
  { name: 'resize', load: async () => (await import('./commands/resize.command')).resizeCommand },
  { name: 'export', load: async () => (await import('./commands/export.command')).exportCommand },
  { name: 'replay', load: async () => (await import('./commands/replay.command')).replayCommand },
  { name: 'trace', load: async () => (await import('./commands/trace.command')).traceCommand },
  { name: 'serve', load: async () => (await import('./commands/serve.command')).serveCommand },
];

/**
 * The factories `argv` needs: only its subcommand's when it names one
 * (`tlbsim run ...`, `tlbsim run --help`), else all of them (`tlbsim --help`,
 * an unknown command: commander lists them all).
 */
export async function commandsFor(argv: readonly string[]): Promise<CommandFactory[]> {
  const named = COMMAND_LOADERS.find((c) => c.name === argv[2]);
  return Promise.all((named ? [named] : COMMAND_LOADERS).map((c) => c.load()));
}
