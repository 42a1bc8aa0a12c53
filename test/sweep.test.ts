/**
 * Sweeps end to end: the same rows in process, over Redis from the CLI
 * (`tlbsim sweep --redis`) and through `POST /api/sweeps`, with a real
 * redis-server and a real worker process (the built CLI: `npm run build` first);
 * the size limit is exit 2 on the CLI and 400 over HTTP; the dashboard's
 * sweep page in headless Chromium (fails without chromium, with the reason).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chromium } from 'playwright-core';
import { parseScenarioText, planSweep, replicationSeeds, SWEEP_LIMITS, SweepRow, SweepView } from '@tlbsim/contracts';
import { runSweepInProcess } from '@tlbsim/engine';
import request from 'supertest';
import { CoordinatorStack, eventually, startStack } from './support/coordinator.fixture';
import { describeWith } from './support/required-tool';
import { runBuiltCli } from './support/cli-process';
import { CLI_MAIN } from './support/worker-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');
const FILE = join(__dirname, '..', 'scenarios', 'hyperv-svm-root-reuse.yaml');
const raw = parseScenarioText(readFileSync(FILE, 'utf8'), 'yaml');
/** Two grid values x two policies x two seeds; one vCPU per VM so the bug shows at this size. */
const GRID = ['fleet.vcpusPerVm=1,2'];
const POLICIES = ['overhaul', 'overhaul+hv-flush-current'];
const OVERRIDES = ['workload.accessesPerVcpu=60000', 'fleet.hosts=1'];

let stack: CoordinatorStack;
let app: NestExpressApplication;
let expected: SweepRow[];
const http = () => request(app.getHttpServer());

const cli = runBuiltCli;

const sweepArgs = (): string[] => [
  'sweep',
  FILE,
  ...GRID.flatMap((g) => ['--grid', g]),
  '--policies',
  POLICIES.join(','),
  '--seeds',
  '2',
  ...OVERRIDES.flatMap((o) => ['--set', o]),
];

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  const plan = planSweep(raw, { grid: GRID, policies: POLICIES, seeds: 2, overrides: OVERRIDES });
  expected = await runSweepInProcess(plan);
  stack = await startStack({ workers: 1, concurrency: 2, listen: true });
  app = stack.app;
  await eventually(async () => (await http().get('/api/workers')).body.length === 1);
});
afterAll(async () => stack?.stop());

describe('tlbsim sweep', () => {
  it('expands grid x seeds x policies in order, and the sweep finds the bug only where it exists', () => {
    expect(expected.map((r) => [r.grid['fleet.vcpusPerVm'], r.seed, r.policy])).toEqual([
      [1, 42, 'overhaul'],
      [1, 42, 'overhaul+hv-flush-current'],
      [1, 43, 'overhaul'],
      [1, 43, 'overhaul+hv-flush-current'],
      [2, 42, 'overhaul'],
      [2, 42, 'overhaul+hv-flush-current'],
      [2, 43, 'overhaul'],
      [2, 43, 'overhaul+hv-flush-current'],
    ]);
    expect(
      expected
        .filter((r) => r.policy === 'overhaul' && r.grid['fleet.vcpusPerVm'] === 1)
        .some((r) => r.violations.total > 0),
    ).toBe(true);
    expect(
      expected.filter((r) => r.policy === 'overhaul+hv-flush-current').every((r) => r.violations.total === 0),
    ).toBe(true);
    expect(expected.filter((r) => r.policy === 'overhaul').every((r) => r.overheadVsFirst === 0)).toBe(true);
    expect(expected.every((r) => r.overheadVsFirst !== null && r.cyclesPerAccess > 0)).toBe(true);
  });

  it('gives the same rows in process and spread over the workers, in --json and --csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlbsim-sweep-'));
    const [local, remote] = await Promise.all([
      cli([...sweepArgs(), '--json', '--csv', join(dir, 'local.csv')]),
      cli([...sweepArgs(), '--json', '--csv', join(dir, 'remote.csv'), '--redis', stack.redis.url]),
    ]);
    expect(local.code).toBe(0);
    expect(remote.code).toBe(0);
    expect(remote.err).toMatch(/submitted sweep s-/);
    expect(JSON.parse(local.out).rows).toEqual(expected);
    expect(JSON.parse(remote.out).rows).toEqual(expected);
    const csv = readFileSync(join(dir, 'remote.csv'), 'utf8');
    expect(csv).toBe(readFileSync(join(dir, 'local.csv'), 'utf8'));
    expect(csv.split('\n')[0]).toBe(
      'fleet.vcpusPerVm,policy,seed,violations,cross-vm,use-after-free,stale-mapping,stale-root,hypercalls,cyclesPerAccess,overheadVsFirst,accesses,digest,timePerAccessNs,timeOverheadVsFirst,hypercallStallsPercent,l0BusyPercent',
    );
    expect(csv.trim().split('\n')).toHaveLength(expected.length + 1);
  });

  it('runs replications (issue 23) as points on the workers: the same rows, seeds and summary as in process', async () => {
    const args = [
      'sweep',
      FILE,
      '--grid',
      'fleet.vcpusPerVm=1',
      '--policies',
      POLICIES.join(','),
      '--replications',
      '3',
      ...OVERRIDES.flatMap((o) => ['--set', o]),
    ];
    const [local, remote] = await Promise.all([
      cli([...args, '--json']),
      cli([...args, '--json', '--redis', stack.redis.url]),
    ]);
    expect([local.code, remote.code]).toEqual([0, 0]);
    const [l, r] = [JSON.parse(local.out), JSON.parse(remote.out)];
    expect(r.rows).toEqual(l.rows);
    expect(r.summary).toEqual(l.summary);
    expect(l.rows.map((x: SweepRow) => x.seed)).toEqual(
      replicationSeeds((raw as { seed: number }).seed, 3).flatMap((s) => [s, s]),
    );
    expect(l.summary.map((x: { seeds: number[] }) => x.seeds.length)).toEqual([3, 3]);
  });

  it('refuses a sweep over the size limit with exit 2 naming the limit, and an unreachable Redis with one line and exit 3', async () => {
    const [res, down] = await Promise.all([
      cli(['sweep', FILE, '--grid', 'fleet.hosts=1,2,3,4', '--seeds', '200']),
      cli([...sweepArgs(), '--redis', 'redis://127.0.0.1:1']),
    ]);
    expect(res.code).toBe(2);
    expect(res.err).toContain(`exceed the maximum ${SWEEP_LIMITS.accessesMax}`);
    expect(down.code).toBe(3);
    expect(down.err).toBe(
      'tlbsim: cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (4 attempts)\n',
    );
    expect(down.err).not.toMatch(/^\s+at /m);
  });
});

describe('POST /api/sweeps', () => {
  it('runs a sweep on the workers and GET /api/sweeps/:id returns the in-process rows', async () => {
    const submitted = await http()
      .post('/api/sweeps')
      .send({ scenario: raw, overrides: OVERRIDES, grid: GRID, policies: POLICIES, seeds: 2 })
      .expect(201);
    const view = submitted.body as SweepView;
    expect(view).toMatchObject({
      state: 'running',
      points: expected.length,
      gridKeys: ['fleet.vcpusPerVm'],
      policies: POLICIES,
      seeds: 2,
    });
    const done = await eventually(async () => {
      const v = (await http().get(`/api/sweeps/${view.id}`).expect(200)).body as SweepView;
      return v.state !== 'running' && v;
    }, 60000);
    expect(done).toMatchObject({ state: 'completed', pointsDone: expected.length, error: null });
    expect(done.rows).toEqual(expected);
    const list = (await http().get('/api/sweeps').expect(200)).body as { items: SweepView[] };
    expect(list.items.map((s) => s.id)).toContain(view.id);
  });

  it('answers 400 naming the field for a bad grid and for a sweep over the limit, 404 for an unknown sweep', async () => {
    const bad = await http()
      .post('/api/sweeps')
      .send({ scenario: raw, grid: ['fleet.hosts=0,1'] })
      .expect(400);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toContain('fleet.hosts');
    const big = await http()
      .post('/api/sweeps')
      .send({ scenario: raw, grid: ['fleet.hosts=1,2,3,4'], seeds: 200 })
      .expect(400);
    expect(big.body.details).toEqual([
      expect.objectContaining({ path: 'sweep', constraint: 'max', limit: SWEEP_LIMITS.accessesMax }),
    ]);
    await http().get('/api/sweeps/s-nope').expect(404);
  });
});

describeWith('chromium', 'dashboard sweep page (headless Chromium)', () => {
  it('starts a sweep from the form and shows its progress, table and a chart per policy', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${await app.getUrl()}/#/sweeps`);
      await page.selectOption('[data-testid=sweep-scenario]', 'hyperv-svm-root-reuse');
      await page.fill('[data-testid=sweep-grid]', GRID.join('\n'));
      await page.fill('[data-testid=sweep-overrides]', OVERRIDES.join('\n'));
      await page.check('input[name=policy][value="overhaul+hv-flush-current"]');
      await page.click('[data-testid=sweep-submit]');
      await page.waitForURL(/#\/sweeps\/s-/);
      await eventually(
        async () => (await page.locator('[data-testid=progress]').first().getAttribute('aria-valuenow')) === '100',
        60000,
      );
      await eventually(async () => (await page.locator('[data-testid=sweep-table] tr[data-row]').count()) === 4, 10000);
      expect(await page.textContent('[data-testid=sweep-progress]')).toMatch(/^4 \/ 4 points/);
      await page.selectOption('[data-testid=sweep-metric]', 'overheadVsFirst');
      const ink = await page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-testid="chart-sweep"]');
        const data = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
      expect(ink).toBeGreaterThan(200);
      expect(await page.getAttribute('canvas[data-testid="chart-sweep"]', 'aria-label')).toBe(
        'overhead vs first policy (%) vs fleet.vcpusPerVm',
      );
      await page.screenshot({ path: join(ARTIFACTS, 'sweep.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
