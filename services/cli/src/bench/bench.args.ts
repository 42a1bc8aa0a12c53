/** The command line of `npm run bench` (services/cli/src/bench/bench.ts). */

/** The usage of `npm run bench`, as an error for a bad argument quotes it. */
export const BENCH_USAGE =
  'usage: npm run bench -- [--kernel-only] [--only part,...] [--runs N] [dotted.key=value ...]';

/**
 * The parts `--only` picks: the fleet kernel (and the nested scenario's), each distributed configuration,
 * the Redis Cluster comparison, and one shard's snapshot step by step.
 */
export const BENCH_PARTS = [
  'kernel',
  'one-worker',
  'two-workers',
  'four-shards',
  'resize',
  'cluster',
  'snapshot',
] as const;

/** The parts of {@link BENCH_PARTS} the distributed benchmark runs (distributed.bench.ts). */
export const DISTRIBUTED_PARTS: readonly string[] = BENCH_PARTS.slice(1, 5);

/**
 * Accesses per vCPU of the runs on Redis and of the snapshot benchmark (fleet.yaml's own 400,000 would make each
 * distributed run take minutes). @defaultValue 100000 ($TLBSIM_BENCH_ACCESSES)
 */
export const BENCH_ACCESSES_PER_VCPU = Number(process.env.TLBSIM_BENCH_ACCESSES ?? 100000);

/** The overrides of fleet.yaml those runs take: their length, then the command line's (which may change it too). */
export function benchRunOverrides(overrides: readonly string[]): string[] {
  return [`workload.accessesPerVcpu=${BENCH_ACCESSES_PER_VCPU}`, ...overrides];
}

/** Most runs of the fleet kernel benchmark one command takes (`--runs`). */
export const BENCH_RUNS_MAX = 9;

/** The one line `npm run bench -- --help` prints. */
export const BENCH_HELP = `${BENCH_USAGE}: overrides apply to scenarios/fleet.yaml; --kernel-only skips the Redis benchmarks; --only runs just the parts named (${BENCH_PARTS.join(', ')}; the same JSON keys); --runs N (1..${BENCH_RUNS_MAX}) runs the fleet kernel N times and reports the median run`;

/** The parsed arguments of `npm run bench`. */
export interface BenchArgs {
  /** `--help` / `-h`: print {@link BENCH_HELP} and run nothing. */
  help: boolean;
  /** `--kernel-only`: skip the distributed and cluster benchmarks. */
  kernelOnly: boolean;
  /** `--runs N`: runs of the fleet kernel benchmark; `kernel` is the median one. @defaultValue 1 */
  runs: number;
  /** `--only a,b`: the {@link BENCH_PARTS} to run. @defaultValue null (every part) */
  only: string[] | null;
  /** `dotted.key=value` overrides of scenarios/fleet.yaml, in order (validated when the scenario is loaded). */
  overrides: string[];
}

/** An argument `npm run bench` does not take (exit 2). */
export class BenchUsageError extends Error {
  /**
   * @param arg - the argument at fault
   * @param message - what is wrong with it @defaultValue "unknown flag/argument <arg>" and the usage
   */
  constructor(
    readonly arg: string,
    message = `unknown ${arg.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(arg)}; ${BENCH_USAGE}`,
  ) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

/** The number of runs `--runs` gives, or throws {@link BenchUsageError} naming the limit. */
function runsOf(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^[0-9]+$/.test(value) || n < 1 || n > BENCH_RUNS_MAX)
    throw new BenchUsageError(
      '--runs',
      `--runs must be an integer 1..${BENCH_RUNS_MAX}, got ${JSON.stringify(value ?? '')}; ${BENCH_USAGE}`,
    );
  return n;
}

/** The parts `--only` names, or throws {@link BenchUsageError} naming the parts it takes. */
function partsOf(value: string | undefined): string[] {
  const parts = (value ?? '').split(',').filter((p) => p !== '');
  const bad = parts.find((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (parts.length === 0 || bad !== undefined)
    throw new BenchUsageError(
      '--only',
      `--only takes parts among ${BENCH_PARTS.join(', ')}, got ${JSON.stringify(bad ?? value ?? '')}; ${BENCH_USAGE}`,
    );
  return parts;
}

/**
 * Parses `npm run bench`'s arguments: `--help`/`-h`, `--kernel-only`,
 * `--only a,b` (or `--only=a,b`), `--runs N` (or `--runs=N`) and `key=value`
 * overrides; `--help` anywhere wins.
 *
 * @throws BenchUsageError for anything else (an unknown flag, a word without `=`), a `--runs`
 * value that is not an integer 1..{@link BENCH_RUNS_MAX} or an `--only` part not in {@link BENCH_PARTS}
 */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const parsed: BenchArgs = { help: false, kernelOnly: false, runs: 1, only: null, overrides: [] };
  let unknown: string | null = null;
  let runs: string | undefined | null = null;
  let only: string | undefined | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--kernel-only') parsed.kernelOnly = true;
    else if (arg === '--runs') runs = args[++i];
    else if (arg.startsWith('--runs=')) runs = arg.slice('--runs='.length);
    else if (arg === '--only') only = args[++i];
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length);
    else if (!arg.startsWith('-') && arg.includes('=')) parsed.overrides.push(arg);
    else unknown ??= arg;
  }
  if (parsed.help) return parsed;
  if (unknown !== null) throw new BenchUsageError(unknown);
  if (runs !== null) parsed.runs = runsOf(runs);
  if (only !== null) parsed.only = partsOf(only);
  return parsed;
}
