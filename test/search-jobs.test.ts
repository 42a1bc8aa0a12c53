/**
 * Hunts and shrinks as jobs on the workers (issue 13), with a real
 * redis-server and two real worker processes (the built CLI: `npm run build`
 * first): `tlbsim hunt|shrink --redis` and `POST /api/hunts|shrinks` give the
 * same result as in process for a fixed seed, their points spread over both
 * workers; sweeps, hunts and shrinks append progress to their event stream,
 * readable as SSE, and the CLI shows it as a progress bar.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HUNT_LIMITS, parseScenarioText, parseVaryAxis, SHRINK_LIMITS, SweepEvent, VaryAxis } from '@tlbsim/contracts';
import { HuntRequest, HuntResult, runHunt, runShrink, ShrinkResult } from '@tlbsim/engine';
import type { SearchView } from '@tlbsim/jobs';
import request from 'supertest';
import { runBuiltCli } from './support/cli-process';
import { CoordinatorStack, eventually, parseSse, startStack } from './support/coordinator.fixture';
import { CLI_MAIN } from './support/worker-process';

const HUNT_FILE = join(__dirname, 'fixtures', 'root-reuse-enlightenment-off.yaml');
const huntInput = parseScenarioText(readFileSync(HUNT_FILE, 'utf8'), 'yaml');
const VARY = [
  'platform.enlightenedTlb=false,true',
  'fleet.vcpusPerVm=1..2',
  'events.memslotUpdatesPerSec=10000..500000',
];
const BUDGET = 60;
const SHIPPED_FILE = join(__dirname, '..', 'scenarios', 'hyperv-svm-root-reuse.yaml');
const shipped = parseScenarioText(readFileSync(SHIPPED_FILE, 'utf8'), 'yaml') as { fleet: object };
/**
 * The shrink's start: the shipped bug on one of its two hosts (4 VMs, 8
 * vCPUs), as a file for the CLI and as the same object for the API and the
 * in-process reference. What these tests check is that the workers shrink
 * it as this process does, which needs no bigger fleet; half the fleet
 * halves every run of the shrink, three times over (here, the CLI, the API).
 * test/shrink.test.ts shrinks the shipped scenario as written.
 */
const shrinkInput = { ...shipped, fleet: { ...shipped.fleet, hosts: 1 } };
const SHRINK_FILE = join(mkdtempSync(join(tmpdir(), 'tlbsim-search-jobs-')), 'root-reuse-one-host.json');
writeFileSync(SHRINK_FILE, JSON.stringify(shrinkInput));
const SHRINK_SEEDS = 2;

const huntRequest = (): HuntRequest => ({
  input: huntInput,
  overrides: ['kvm.policy="overhaul"'],
  vary: VARY.map((t) => parseVaryAxis(t) as VaryAxis),
  budgetRuns: BUDGET,
  seed: 1,
});

let stack: CoordinatorStack;
let app: NestExpressApplication;
let localHunt: HuntResult;
let localShrink: ShrinkResult;
const http = () => request(app.getHttpServer());

/** What must be equal in process and on the workers (not the wall time). */
const huntCore = (r: HuntResult) => ({
  found: r.found,
  runs: r.runs,
  rejected: r.rejected,
  overrides: r.overrides,
  coverage: r.coverage,
  witness: r.report?.violations.witnesses[0] ?? null,
  digest: r.report?.digest,
});
const shrinkCore = (r: ShrinkResult) => ({
  cls: r.violationClass,
  overrides: r.overrides,
  runs: r.runs,
  before: r.before,
  after: r.after,
  witness: r.report.violations.witnesses[0],
  digest: r.report.digest,
});

/** Reads an SSE endpoint to its end. */
async function sse(path: string): Promise<SweepEvent[]> {
  const res = await http()
    .get(path)
    .buffer(true)
    .parse((r, cb) => {
      let t = '';
      r.on('data', (d: Buffer) => (t += d.toString()));
      r.on('end', () => cb(null, t));
    })
    .expect(200);
  return parseSse(res.body as string).map((m) => m.data as SweepEvent);
}

/** Polls a hunt or shrink until it ended. */
async function ended<R>(path: string): Promise<SearchView<R>> {
  return eventually(
    async () => {
      const v = (await http().get(path).expect(200)).body as SearchView<R>;
      return v.state !== 'running' && v;
    },
    90000,
    250,
  );
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  stack = await startStack({ workers: 2, concurrency: 2, listen: true });
  app = stack.app;
  localHunt = await runHunt(huntRequest());
  localShrink = await runShrink({ input: shrinkInput, overrides: [], seeds: SHRINK_SEEDS });
  await eventually(async () => (await http().get('/api/workers')).body.length === 2);
}, 240000);
afterAll(async () => stack?.stop());

describe('tlbsim hunt|shrink --redis', () => {
  it('runs the hunt as one job on the two workers, with the in-process result and a progress bar of its points', async () => {
    expect(localHunt.found).toBe(true);
    const res = await runBuiltCli([
      'hunt',
      HUNT_FILE,
      '--policy',
      'overhaul',
      ...VARY.flatMap((v) => ['--vary', v]),
      '--budget',
      String(BUDGET),
      '--redis',
      stack.redis.url,
      '--json',
      '--progress',
      'plain',
    ]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/submitted hunt h-/);
    expect(res.err).toMatch(/tlbsim: hunt h-\S+ [\d.]+% \| \d+\/60 points \| [\d.]+ points\/s/);
    const json = JSON.parse(res.out);
    const core = huntCore(localHunt);
    expect({
      found: json.found,
      runs: json.runs,
      rejected: json.rejected,
      overrides: json.overrides,
      coverage: json.coverage,
      witness: json.witness,
    }).toEqual({
      found: core.found,
      runs: core.runs,
      rejected: core.rejected,
      overrides: core.overrides,
      coverage: core.coverage,
      witness: core.witness,
    });
  });

  it('runs the shrink as one job on the workers, with the in-process result', async () => {
    const res = await runBuiltCli([
      'shrink',
      SHRINK_FILE,
      '--seeds',
      String(SHRINK_SEEDS),
      '--redis',
      stack.redis.url,
      '--json',
      '--progress',
      'plain',
    ]);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/submitted shrink r-/);
    expect(res.err).toMatch(/tlbsim: shrink r-\S+ .*points .*best \d+ VMs, \d+ vCPUs/);
    const json = JSON.parse(res.out);
    expect({
      cls: json.violationClass,
      runs: json.runs,
      before: json.before,
      after: json.after,
      overrides: json.overrides,
      witness: json.witness,
    }).toEqual({
      cls: localShrink.violationClass,
      runs: localShrink.runs,
      before: localShrink.before,
      after: localShrink.after,
      overrides: localShrink.overrides,
      witness: localShrink.report.violations.witnesses[0],
    });
    expect(localShrink.before.vcpus).toBe(8);
    expect(localShrink.after.vcpus).toBeLessThanOrEqual(4);
  });

  it('a shrink on the workers of a scenario with no violation is exit 2 naming why, as in process', async () => {
    const res = await runBuiltCli([
      'shrink',
      SHRINK_FILE,
      '--policy',
      'overhaul+hv-flush-current',
      '--set',
      'workload.accessesPerVcpu=5000',
      '--redis',
      stack.redis.url,
    ]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('no violation in the scenario: nothing to shrink');
  });
});

describe('POST /api/hunts, POST /api/shrinks', () => {
  it('runs a hunt on the workers: GET gives the in-process result, and its events stream progress then completed', async () => {
    const body = { scenario: huntInput, policy: 'overhaul', vary: VARY, budget: BUDGET, huntSeed: 1 };
    const submitted = (await http().post('/api/hunts').send(body).expect(201)).body as SearchView<HuntResult>;
    expect(submitted).toMatchObject({ kind: 'hunt', state: 'running', points: 8 });
    const done = await ended<HuntResult>(`/api/hunts/${submitted.id}`);
    expect(done).toMatchObject({ state: 'completed', error: null });
    expect(huntCore(done.result!)).toEqual(huntCore(localHunt));
    expect(done.pointsDone).toBeGreaterThanOrEqual(localHunt.runs);
    const events = await sse(`/api/hunts/${submitted.id}/events`);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.map((e) => e.pointsDone)).toEqual([...progress.map((e) => e.pointsDone)].sort((a, b) => a - b));
    expect(progress.every((e) => e.kind === 'hunt' && e.pointsMax === BUDGET && e.pointsPerSec > 0)).toBe(true);
    expect(progress.some((e) => e.best !== null)).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ type: 'completed', pointsDone: done.points });
    await http().get(`/api/shrinks/${submitted.id}`).expect(404);
  });

  it('runs a shrink on the workers with the in-process result', async () => {
    const submitted = (
      await http().post('/api/shrinks').send({ scenario: shrinkInput, seeds: SHRINK_SEEDS }).expect(201)
    ).body as SearchView<ShrinkResult>;
    const done = await ended<ShrinkResult>(`/api/shrinks/${submitted.id}`);
    expect(done.state).toBe('completed');
    expect(shrinkCore(done.result!)).toEqual(shrinkCore(localShrink));
    // Bisection steps are run two levels at a time: more points than the runs on the path taken.
    expect(done.pointsDone).toBeGreaterThan(localShrink.runs);
  });

  it('answers 400 naming the field and its limit for a bad budget, time, vary or seeds, and 404 for an unknown id', async () => {
    const base = { scenario: huntInput, vary: VARY };
    const budget = await http()
      .post('/api/hunts')
      .send({ ...base, budget: HUNT_LIMITS.budgetMax + 1 })
      .expect(400);
    expect(budget.body.details).toEqual([expect.objectContaining({ path: 'budget', limit: HUNT_LIMITS.budgetMax })]);
    const time = await http()
      .post('/api/hunts')
      .send({ ...base, time: '3d' })
      .expect(400);
    expect(time.body.details).toEqual([expect.objectContaining({ path: 'time', limit: HUNT_LIMITS.timeMaxMs })]);
    const vary = await http()
      .post('/api/hunts')
      .send({ ...base, vary: ['fleet.hosts=0..3'] })
      .expect(400);
    expect(vary.body.details[0]).toMatchObject({ path: 'vary', limit: 1 });
    const seeds = await http()
      .post('/api/shrinks')
      .send({ scenario: shrinkInput, seeds: SHRINK_LIMITS.seedsMax + 1 })
      .expect(400);
    expect(seeds.body.details).toEqual([expect.objectContaining({ path: 'seeds', limit: SHRINK_LIMITS.seedsMax })]);
    await http().get('/api/hunts/h-nope').expect(404);
    await http().get('/api/shrinks/r-nope/events').expect(404);
  });
});

describe('sweep progress events', () => {
  it('a sweep appends progress (points done of all, points/s, best so far) and completed, readable as SSE', async () => {
    const grid = ['fleet.vcpusPerVm=1,2'];
    // Freed roots come back at once (latency.rootFreeNs=0): these short runs end before an RCU grace period would.
    const overrides = ['workload.accessesPerVcpu=60000', 'fleet.hosts=1', 'latency.rootFreeNs=0'];
    const submitted = (
      await http()
        .post('/api/sweeps')
        .send({ scenario: shipped, overrides, grid, policies: ['overhaul', 'overhaul+hv-flush-current'] })
        .expect(201)
    ).body as { id: string };
    const events = await sse(`/api/sweeps/${submitted.id}/events`);
    // A progress event per point but the last, unless its point finished as the last one ended the sweep: the
    // store drops a progress event after the final one (test/sweep-events.test.ts), so completed is last.
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('completed');
    expect(types.slice(0, -1).every((t) => t === 'progress')).toBe(true);
    expect(types.length).toBeGreaterThanOrEqual(2);
    expect(types.length).toBeLessThanOrEqual(4);
    // Workers finishing points at once may both see the same count, never a smaller one.
    const done = events.map((e) => e.pointsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done[0]).toBeGreaterThanOrEqual(1);
    expect(done.at(-1)).toBe(4);
    expect(events.every((e) => e.points === 4 && e.pointsMax === 4 && e.kind === 'sweep')).toBe(true);
    expect(events.at(-1)!.best).toMatchObject({ policy: 'overhaul', violations: expect.any(Number) });
    const last = events.at(-1)!.id;
    const resumed = await http()
      .get(`/api/sweeps/${submitted.id}/events`)
      .set('Last-Event-ID', last)
      .buffer(true)
      .parse((r, cb) => {
        let t = '';
        r.on('data', (d: Buffer) => (t += d.toString()));
        r.on('end', () => cb(null, t));
      });
    expect(parseSse(resumed.body as string)).toEqual([]);
  });

  it('the OpenAPI document has the hunt and shrink endpoints and every event stream', async () => {
    const doc = (await http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const path of ['/api/hunts', '/api/shrinks']) expect(doc.paths[path].post.responses).toHaveProperty('400');
    for (const path of ['/api/hunts/{id}', '/api/shrinks/{id}', '/api/sweeps/{id}', '/api/jobs/{id}'])
      expect(doc.paths[path].get.responses).toHaveProperty('404');
    for (const path of [
      '/api/hunts/{id}/events',
      '/api/shrinks/{id}/events',
      '/api/sweeps/{id}/events',
      '/api/jobs/{id}/events',
    ])
      expect(doc.paths[path]).toHaveProperty('get');
  });
});
