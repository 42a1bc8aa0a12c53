import type { SimConfig } from '@tlbsim/sim-core';
import type { RunReport } from '@tlbsim/engine';

/** Progress of a running simulation, as reported by the engine. */
export interface RunProgress {
  window: number;
  windowsEstimate: number;
  accesses: number;
  accessesTotal: number;
}

/** Runs one simulation (in production `runInProcess` of `@tlbsim/engine`). */
export type SimulationRunner = (
  config: SimConfig,
  opts?: {
    onProgress?: (p: RunProgress) => void;
    stopWhen?: (counter: (slot: number) => number) => boolean;
    /** Every window's sent messages of every shard (`--trace-out`), see `runInProcess`. */
    onSent?: (sent: Float64Array, window: number) => void;
    /** Every window's vCPU-local events of every shard (`--trace-out`), see `runInProcess`. */
    onLocalEvents?: (events: readonly number[], window: number) => void;
  },
) => Promise<RunReport>;

/** Where the CLI writes; injectable so commands can be tested in-process. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** The stream progress bars draw on, only when it is an interactive terminal. */
  progressStream?: NodeJS.WritableStream;
}

/** What every command factory receives. */
export interface CliContext {
  io: CliIo;
  /** Runs a simulation. */
  run: SimulationRunner;
  /** Sets the process exit code the command ends with. */
  setExitCode(code: number): void;
}

/** The {@link CliIo} of the current process. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
  };
}
