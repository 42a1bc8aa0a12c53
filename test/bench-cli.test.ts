/**
 * `npm run bench`'s command line, on the built script (`npm run build`
 * first): `--help` prints one usage line and exits 0, an unknown flag or an
 * override that does not validate is one line on standard error and exit 2;
 * none of them runs a benchmark or writes bench-out/bench.json. (Valid
 * arguments would run the whole benchmark: bench.args.spec.ts covers them.)
 */
import { spawnSync } from 'child_process';
import { existsSync, statSync } from 'fs';
import { join } from 'path';
import { BENCH_HELP, BENCH_PARTS, BENCH_USAGE as USAGE } from '../services/cli/src/bench/bench.args';

const ROOT = join(__dirname, '..');
const BENCH = join(ROOT, 'services', 'cli', 'dist', 'bench', 'bench.js');
const OUT = join(ROOT, 'bench-out', 'bench.json');

/** Runs the built bench with `args`, killed after 20 s (a benchmark that started would take minutes). */
function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', BENCH, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const outStamp = (): number | null => (existsSync(OUT) ? statSync(OUT).mtimeMs : null);

beforeAll(() => {
  if (!existsSync(BENCH)) throw new Error(`${BENCH} is missing: run \`npm run build\` first`);
});

describe('npm run bench arguments', () => {
  it('--help prints one usage line and exits 0 without running anything', () => {
    const before = outStamp();
    const r = bench(['--help']);
    expect(r.status).toBe(0);
    // The built script prints what the source declares (one declaration: bench.args.ts).
    expect(r.stdout).toBe(`${BENCH_HELP}\n`);
    expect(r.stdout).toMatch(/^usage: npm run bench -- .*--only part,.*--runs N \(1\.\.9\)/);
    expect(r.stderr).toBe('');
    expect(outStamp()).toBe(before);
  });

  it.each([
    [['--nope'], `bench: unknown flag "--nope"; ${USAGE}\n`],
    [['--kernel-only', 'fleet'], `bench: unknown argument "fleet"; ${USAGE}\n`],
    [['--kernel-only', '--runs', '0'], `bench: --runs must be an integer 1..9, got "0"; ${USAGE}\n`],
    [['--runs=10'], `bench: --runs must be an integer 1..9, got "10"; ${USAGE}\n`],
    [['--runs'], `bench: --runs must be an integer 1..9, got ""; ${USAGE}\n`],
    [['--only', 'kernel,nope'], `bench: --only takes parts among ${BENCH_PARTS.join(', ')}, got "nope"; ${USAGE}\n`],
    [
      ['--kernel-only', 'workload.accessesPerVcpu=abc'],
      'bench: invalid override: workload.accessesPerVcpu: "abc" is not an integer (allowed: 1..1000000000)\n',
    ],
    [['=5'], 'bench: invalid override: override "=5": the path must be dotted identifiers, e.g. fleet.hosts\n'],
  ])('%j is one line and exit 2, before anything runs', (args, line) => {
    const before = outStamp();
    const r = bench(args);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 2, stderr: line, stdout: '' });
    expect(outStamp()).toBe(before);
  });
});
