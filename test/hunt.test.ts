/**
 * `tlbsim hunt`: from a scenario where the shipped bug is off (no
 * enlightened TLB), a bounded, seeded search finds it and prints a scenario
 * that reproduces it; on the fixed policy it reports no violation with the
 * coverage it reached; with --redis the runs go to a real worker process.
 */
import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildScenario, parseScenarioText, parseVaryAxis, VaryAxis } from '@tlbsim/contracts';
import { HuntRequest, runHunt, runToFirstViolation } from '@tlbsim/engine';
import { startRedis, TestRedis } from './support/redis-server';
import { runBuiltCli } from './support/cli-process';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

/** The classes of the shipped bug: a freed root page comes back as a root of the same VM or of another. */
const ROOT_REUSE = ['stale-root', 'cross-vm'];

const FILE = join(__dirname, 'fixtures', 'root-reuse-enlightenment-off.yaml');
const input = parseScenarioText(readFileSync(FILE, 'utf8'), 'yaml');
const VARY = [
  'platform.enlightenedTlb=false,true',
  'fleet.vcpusPerVm=1..2',
  'events.memslotUpdatesPerSec=10000..500000',
];
const BUDGET = 60;

const axes = (): VaryAxis[] => VARY.map((t) => parseVaryAxis(t) as VaryAxis);
const request = (policy: string, budgetRuns = BUDGET): HuntRequest => ({
  input,
  overrides: [`kvm.policy=${policy}`],
  vary: axes(),
  budgetRuns,
  seed: 1,
});

const cli = runBuiltCli;

describe('tlbsim hunt', () => {
  it('the fixture does not show the bug as written', async () => {
    const report = await runToFirstViolation(buildScenario(input));
    expect(report.violations.total).toBe(0);
  });

  it('finds the shipped bug within the budget, deterministically for a hunt seed, and the scenario reproduces it', async () => {
    const [a, b] = await Promise.all([runHunt(request('overhaul')), runHunt(request('overhaul'))]);
    expect(a.found).toBe(true);
    expect(a.runs).toBeLessThanOrEqual(BUDGET);
    expect(b.overrides).toEqual(a.overrides);
    expect(a.config?.platform.enlightenedTlb).toBe(true);
    const witness = a.report!.violations.witnesses[0];
    // The shipped bug: a freed root page reused as a root, by the same VM (stale-root) or another (cross-vm).
    expect(ROOT_REUSE).toContain(witness.class);
    const again = await runToFirstViolation(buildScenario(input, a.overrides!));
    expect(again.violations.witnesses[0]).toEqual(witness);
  });

  it('reports no violation on the fixed policy, with non-zero coverage', async () => {
    const r = await runHunt(request('overhaul+hv-flush-current', 10));
    expect(r).toMatchObject({ found: false, runs: 10, overrides: null, report: null });
    expect(r.coverage.rootsReused).toBeGreaterThan(0);
    expect(r.coverage.hypercalls).toBeGreaterThan(0);
    expect(r.coverage.runsWithRootReuse).toBeGreaterThan(0);
  });

  it('prints the failing scenario as YAML with its witness (exit 1), and "no violation in N runs" with coverage (exit 0)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tlbsim-hunt-')), 'found.yaml');
    const vary = VARY.flatMap((v) => ['--vary', v]);
    const [found, none] = await Promise.all([
      cli(['hunt', FILE, '--policy', 'overhaul', ...vary, '--budget', String(BUDGET), '--out', out]),
      // 4 runs are enough to print the line and its coverage; the test above hunts 10 on the fix (a run on it
      // goes to its end with a hypercall per root load: the costliest runs of the file).
      cli(['hunt', FILE, '--policy', 'overhaul+hv-flush-current', ...vary, '--budget', '4']),
    ]);
    expect(found.code).toBe(1);
    expect(found.out).toMatch(
      /^tlbsim hunt: (stale-root|cross-vm) found after \d+ runs in [\d.]+ s \([\d.]+ runs\/s\)/,
    );
    expect(found.out).toContain('--- failing scenario ---');
    expect(found.out).toContain('tlb_stale_hit');
    const saved = buildScenario(parseScenarioText(readFileSync(out, 'utf8'), 'yaml'));
    expect((await runToFirstViolation(saved)).violations.total).toBeGreaterThan(0);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/^tlbsim hunt: no violation in 4 runs/);
    expect(none.out).toMatch(
      /coverage: roots reused [1-9][\d,]* \(in [1-9]\d* runs\), pages reused by another VM [\d,]+, hypercalls [1-9]/,
    );
    const bad = await cli(['hunt', FILE, '--vary', 'fleet.hosts=0..3']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('0 is below the minimum 1 of fleet.hosts');
  });
});

describe('tlbsim hunt --redis', () => {
  let redis: TestRedis;
  let worker: WorkerProcess;

  beforeAll(async () => {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
    redis = await startRedis();
    worker = startWorker(redis.url, ['--prefix', 'hunt', '--concurrency', '2']);
  });
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
  });

  it('runs the candidates on the workers and finds the same kind of violation', async () => {
    const res = await cli([
      'hunt',
      FILE,
      '--policy',
      'overhaul',
      ...VARY.flatMap((v) => ['--vary', v]),
      '--budget',
      String(BUDGET),
      '--redis',
      redis.url,
      '--prefix',
      'hunt',
      '--json',
    ]);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.out);
    expect(json).toMatchObject({ found: true });
    expect(ROOT_REUSE).toContain(json.witness.class);
    expect(json.runs).toBeLessThanOrEqual(BUDGET);
    expect(json.coverage.rootsReused).toBeGreaterThan(0);
    const again = await runToFirstViolation(buildScenario(json.scenario));
    expect(again.violations.witnesses[0]).toEqual(json.witness);
  });
});
