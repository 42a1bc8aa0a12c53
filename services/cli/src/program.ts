import { Command, CommanderError } from 'commander';
import { environmentErrors, type EnvProcess } from '@tlbsim/contracts';
import type { CliContext, CliIo, SimulationRunner } from './cli.context';
import { EXIT } from './exit-codes';

/** Builds one subcommand from the shared context; one factory per `commands/<name>.command.ts`. */
export type CommandFactory = (ctx: CliContext) => Command;

/** The package version, read at run time (package.json is outside `rootDir`). */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../package.json') as { version: string }).version;
}

/** Applies exit override and output routing to a command and all its subcommands. */
function configureTree(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => io.err(s),
    // A usage error is one line, like every other failure: "tlbsim: unknown option '--x' (add --help for usage)".
    outputError: (s, write) => write(`tlbsim: ${s.replace(/^error: /, '').trimEnd()} (add --help for usage)\n`),
  });
  for (const sub of command.commands) configureTree(sub, io);
}

/** The `tlbsim` program with the given subcommands; exit codes go to `ctx.setExitCode`. */
export function createProgram(ctx: CliContext, factories: readonly CommandFactory[]): Command {
  const program = new Command('tlbsim')
    .description('deterministic simulator of TLB coherence on virtualized x86 hosts')
    .version(version())
    .enablePositionalOptions();
  for (const factory of factories) program.addCommand(factory(ctx));
  configureTree(program, ctx.io);
  return program;
}

/** The process a command line starts, as the environment's declarations name it. */
function envProcessOf(argv: readonly string[]): EnvProcess {
  const command = argv[2];
  return command === 'serve' || command === 'worker' ? command : 'cli';
}

/**
 * Parses `argv` (as `process.argv`) and runs the chosen command. Never
 * throws: returns the exit code (usage errors, including unknown options,
 * are {@link EXIT.BAD_INPUT}; an unreachable Redis is {@link EXIT.UNREACHABLE}, one line;
 * an unexpected failure is {@link EXIT.RUN_FAILED}).
 */
export async function runCli(
  argv: readonly string[],
  factories: readonly CommandFactory[],
  io: CliIo,
  run: SimulationRunner,
): Promise<number> {
  let exitCode: number = EXIT.OK;
  const ctx: CliContext = { io, run, setExitCode: (code) => (exitCode = code) };
  // A bad value in the environment is one line per variable and exit 2, before the command starts anything.
  const badEnv = environmentErrors(process.env, envProcessOf(argv));
  if (badEnv.length > 0) {
    for (const e of badEnv) io.err(`tlbsim: ${e.message}\n`);
    return EXIT.BAD_INPUT;
  }
  try {
    await createProgram(ctx, factories).parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    // Loaded here, not at start: only the commands that talk to Redis load the jobs library.
    const { RedisUnreachableError } = await import('@tlbsim/jobs');
    if (error instanceof RedisUnreachableError) {
      io.err(`tlbsim: ${error.message}\n`);
      return EXIT.UNREACHABLE;
    }
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(`tlbsim: run failed: ${text}\n`);
    return EXIT.RUN_FAILED;
  }
}
