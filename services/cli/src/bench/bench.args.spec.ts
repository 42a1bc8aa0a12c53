import { join } from 'path';
import { loadScenarioFile } from '../scenario.loader';
import { BENCH_PARTS, BENCH_RUNS_MAX, BENCH_USAGE, BenchUsageError, parseBenchArgs } from './bench.args';

const FLEET = join(__dirname, '..', '..', '..', '..', 'scenarios', 'fleet.yaml');

describe('parseBenchArgs', () => {
  it('keeps the public forms: --kernel-only and key=value overrides, in order', () => {
    const args = parseBenchArgs(['--kernel-only', 'workload.accessesPerVcpu=100000', 'fleet.hosts=2']);
    expect(args).toEqual({
      help: false,
      kernelOnly: true,
      runs: 1,
      only: null,
      overrides: ['workload.accessesPerVcpu=100000', 'fleet.hosts=2'],
    });
    expect(loadScenarioFile(FLEET, args.overrides).workload.accessesPerVcpu).toBe(100000);
    expect(parseBenchArgs([])).toEqual({ help: false, kernelOnly: false, runs: 1, only: null, overrides: [] });
  });

  it('--runs N and --runs=N take 1..BENCH_RUNS_MAX runs of the fleet kernel', () => {
    expect(parseBenchArgs(['--runs', '3', '--kernel-only']).runs).toBe(3);
    expect(parseBenchArgs([`--runs=${BENCH_RUNS_MAX}`]).runs).toBe(BENCH_RUNS_MAX);
    for (const bad of [['--runs', '0'], ['--runs=1.5'], ['--runs', 'x'], [`--runs=${BENCH_RUNS_MAX + 1}`], ['--runs']])
      expect(() => parseBenchArgs(bad)).toThrow(`--runs must be an integer 1..${BENCH_RUNS_MAX}`);
  });

  it('--only a,b and --only=a,b pick parts of the bench; an unknown or missing part is refused naming the parts', () => {
    expect(parseBenchArgs(['--only', 'one-worker,snapshot']).only).toEqual(['one-worker', 'snapshot']);
    expect(parseBenchArgs(['--only=kernel']).only).toEqual(['kernel']);
    for (const bad of [['--only', 'bogus'], ['--only'], ['--only=']])
      expect(() => parseBenchArgs(bad)).toThrow(`--only takes parts among ${BENCH_PARTS.join(', ')}`);
  });

  it('--help and -h ask for the usage, whatever else is there', () => {
    expect(parseBenchArgs(['--help']).help).toBe(true);
    expect(parseBenchArgs(['-h', '--bogus']).help).toBe(true);
  });

  it.each([
    ['--bogus', 'unknown flag "--bogus"'],
    ['--kernel-only=1', 'unknown flag "--kernel-only=1"'],
    ['fleet', 'unknown argument "fleet"'],
  ])('rejects %s in one line with the usage', (arg, text) => {
    expect(() => parseBenchArgs(['--kernel-only', arg])).toThrow(new BenchUsageError(arg));
    expect(new BenchUsageError(arg).message).toBe(`${text}; ${BENCH_USAGE}`);
  });
});
