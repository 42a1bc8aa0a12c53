/** The command line of `npm run bench` (services/cli/src/bench/bench.ts). */

/** The usage of `npm run bench`, as an error for a bad argument quotes it. */
export const BENCH_USAGE = 'usage: npm run bench -- [--kernel-only] [dotted.key=value ...]';

/** The one line `npm run bench -- --help` prints. */
export const BENCH_HELP = `${BENCH_USAGE}: overrides apply to scenarios/fleet.yaml; --kernel-only skips the Redis benchmarks`;

/** The parsed arguments of `npm run bench`. */
export interface BenchArgs {
  /** `--help` / `-h`: print {@link BENCH_HELP} and run nothing. */
  help: boolean;
  /** `--kernel-only`: skip the distributed and cluster benchmarks. */
  kernelOnly: boolean;
  /** `dotted.key=value` overrides of scenarios/fleet.yaml, in order (validated when the scenario is loaded). */
  overrides: string[];
}

/** An argument `npm run bench` does not take (exit 2). */
export class BenchUsageError extends Error {
  constructor(readonly arg: string) {
    super(`unknown ${arg.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(arg)}; ${BENCH_USAGE}`);
    this.name = 'BenchUsageError';
  }
}

/**
 * Parses `npm run bench`'s arguments: `--help`/`-h`, `--kernel-only` and
 * `key=value` overrides; `--help` anywhere wins.
 *
 * @throws BenchUsageError for anything else (an unknown flag, a word without `=`)
 */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const parsed: BenchArgs = { help: false, kernelOnly: false, overrides: [] };
  let unknown: string | null = null;
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--kernel-only') parsed.kernelOnly = true;
    else if (!arg.startsWith('-') && arg.includes('=')) parsed.overrides.push(arg);
    else unknown ??= arg;
  }
  if (unknown !== null && !parsed.help) throw new BenchUsageError(unknown);
  return parsed;
}
