import { join } from 'path';
import { loadScenarioFile } from '../scenario.loader';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs } from './bench.args';

const FLEET = join(__dirname, '..', '..', '..', '..', 'scenarios', 'fleet.yaml');

describe('parseBenchArgs', () => {
  it('keeps the public forms: --kernel-only and key=value overrides, in order', () => {
    const args = parseBenchArgs(['--kernel-only', 'workload.accessesPerVcpu=100000', 'fleet.hosts=2']);
    expect(args).toEqual({
      help: false,
      kernelOnly: true,
      overrides: ['workload.accessesPerVcpu=100000', 'fleet.hosts=2'],
    });
    expect(loadScenarioFile(FLEET, args.overrides).workload.accessesPerVcpu).toBe(100000);
    expect(parseBenchArgs([])).toEqual({ help: false, kernelOnly: false, overrides: [] });
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
