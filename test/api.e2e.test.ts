/**
 * End to end: the coordinator's HTTP API over a real Redis and a real worker
 * process (the built CLI: run `npm run build` first).
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { buildScenario, JobEvent, JobView } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { SHARD_QUEUE } from '@tlbsim/jobs';
import { readFileSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import { CoordinatorStack, eventually, parseSse, startStack } from './support/coordinator.fixture';
import { parseScenarioText } from '@tlbsim/contracts';

const SCENARIO = 'hyperv-svm-root-reuse';
const SMALL = ['workload.accessesPerVcpu=20000'];
const raw = parseScenarioText(
  readFileSync(join(__dirname, '..', 'scenarios', `${SCENARIO}.yaml`), 'utf8'),
  'yaml',
) as Record<string, unknown>;

let stack: CoordinatorStack;
let app: NestExpressApplication;
const http = () => request(app.getHttpServer());

/** Follows a job's SSE stream to its end; returns the events. */
async function follow(id: string, lastEventId?: string): Promise<JobEvent[]> {
  const req = http().get(`/api/jobs/${id}/events`).buffer(true);
  const res = await (lastEventId ? req.set('Last-Event-ID', lastEventId) : req).expect(200);
  expect(res.headers['content-type']).toMatch(/text\/event-stream/);
  return parseSse(res.text).map((m) => {
    expect(m.id).toBe((m.data as JobEvent).id);
    return m.data as JobEvent;
  });
}

beforeAll(async () => {
  stack = await startStack({ workers: 1, concurrency: 2 });
  app = stack.app;
  await eventually(async () => (await http().get('/api/workers')).body.length === 1);
});
afterAll(async () => stack?.stop());

describe('POST /api/jobs -> SSE -> result', () => {
  it('runs a submitted scenario to completion on the worker with the in-process digest', async () => {
    const submitted = await http().post('/api/jobs').send({ scenario: raw, overrides: SMALL, seed: 7 }).expect(201);
    const job = submitted.body as JobView;
    expect(job).toMatchObject({ name: SCENARIO, seed: 7, shards: 1 });
    const events = await follow(job.id);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('submitted');
    expect(types).toContain('window-completed');
    expect(types[types.length - 1]).toBe('completed');
    const result = await http().get(`/api/jobs/${job.id}/result`).expect(200);
    const expected = await runInProcess(buildScenario(raw, [...SMALL, 'seed=7']));
    expect(result.body.digest).toBe(expected.digest);
    expect(events[events.length - 1]).toMatchObject({ type: 'completed', digest: expected.digest });
    expect((await http().get(`/api/jobs/${job.id}`).expect(200)).body).toMatchObject({
      state: 'completed',
      digest: expected.digest,
    });
    // Resumable: after the 2nd event, the stream goes on with the 3rd; after the last, 204.
    const resumed = await follow(job.id, events[1].id);
    expect(resumed.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
    await http()
      .get(`/api/jobs/${job.id}/events`)
      .set('Last-Event-ID', events[events.length - 1].id)
      .expect(204);
    // The queue admin shows the finished shard job (the queue keeps TLBSIM_QUEUE_HISTORY of them).
    const board = await http().get('/queues/api/queues').expect(200);
    const shardQueue = (board.body.queues as { name: string; counts: Record<string, number> }[]).find(
      (q) => q.name === SHARD_QUEUE,
    );
    expect(shardQueue?.counts.completed).toBeGreaterThanOrEqual(1);
  });

  it('gives the same digest for a YAML body split into 2 shards', async () => {
    const text = readFileSync(join(__dirname, '..', 'scenarios', `${SCENARIO}.yaml`), 'utf8');
    const submitted = await http()
      .post('/api/jobs?set=workload.accessesPerVcpu=20000&shards=2')
      .set('Content-Type', 'application/yaml')
      .send(text)
      .expect(201);
    expect(submitted.body.shards).toBe(2);
    const events = await follow(submitted.body.id);
    expect(events[events.length - 1].type).toBe('completed');
    const expected = await runInProcess(buildScenario(raw, SMALL));
    expect((await http().get(`/api/jobs/${submitted.body.id}/result`).expect(200)).body.digest).toBe(expected.digest);
  });

  it('lists submitted jobs newest first, paginated', async () => {
    const page = await http().get('/api/jobs?limit=1').expect(200);
    expect(page.body).toMatchObject({ offset: 0, limit: 1, total: 2 });
    expect(page.body.items[0].shards).toBe(2);
  });
});

describe('errors', () => {
  it('400 lists every bad field with its dotted path and constraint', async () => {
    const res = await http()
      .post('/api/jobs')
      .send({ scenario: { ...raw, fleet: { hosts: 0, vmsPerHost: 2.5 } }, overrides: ['tlb.ways=999'] })
      .expect(400);
    expect(res.body.message).toBe('invalid scenario');
    const byPath = Object.fromEntries(
      res.body.details.map((d: { path: string; constraint: string }) => [d.path, d.constraint]),
    );
    expect(byPath).toMatchObject({ 'fleet.hosts': 'min', 'fleet.vmsPerHost': 'isInt', 'tlb.ways': 'max' });
    const body = await http().post('/api/jobs').send({ scenario: raw, shards: 0, colour: 'red' }).expect(400);
    expect(body.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['shards', 'colour']),
    );
  });

  it('404 for unknown jobs', async () => {
    await http().get('/api/jobs/no-such-job').expect(404);
    await http().get('/api/jobs/no-such-job/result').expect(404);
    await http().get('/api/jobs/no-such-job/events').expect(404);
    await http().delete('/api/jobs/no-such-job').expect(404);
  });

  it('401 without the bearer token on every /api route when TLBSIM_API_TOKEN is set; /health stays open', async () => {
    const secured = await createCoordinatorApp({
      redisUrl: stack.redis.url,
      logLevel: 'silent',
      apiToken: 'e2e-token',
    });
    await secured.init();
    try {
      const s = () => request(secured.getHttpServer());
      await s().post('/api/jobs').send({ scenario: raw, overrides: SMALL }).expect(401);
      await s()
        .post('/api/compare')
        .send({ scenario: raw, policies: ['overhaul'] })
        .expect(401);
      await s().delete('/api/jobs/anything').expect(401);
      await s().get('/queues').expect(401);
      await s().get('/api/jobs').expect(401);
      await s().get('/api/jobs').set('Authorization', 'Bearer e2e-token').expect(200);
      await s().get('/health').expect(200);
      const ok = await s()
        .post('/api/jobs')
        .set('Authorization', 'Bearer e2e-token')
        .send({ scenario: raw, overrides: SMALL })
        .expect(201);
      await s().delete(`/api/jobs/${ok.body.id}`).set('Authorization', 'Bearer e2e-token').expect(200);
    } finally {
      await secured.close();
    }
  });
});

describe('cancel and compare', () => {
  it('cancels a running job; its stream ends with cancelled and /result gives the partial report', async () => {
    // Long enough to be cancelled while it runs: the scenario's 3 simulated ms end a one-shard job (it publishes only
    // at sync windows) before a poll and a cancel have gone round.
    const long = ['workload.accessesPerVcpu=50000000', 'run.simulatedMs=0'];
    const job = (await http().post('/api/jobs').send({ scenario: raw, overrides: long }).expect(201)).body as JobView;
    await eventually(async () => (await http().get(`/api/jobs/${job.id}`)).body.progress.windows >= 2);
    const cancelled = await http().delete(`/api/jobs/${job.id}`).expect(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.perShard[0].state).toBe('stopped');
    const events = await follow(job.id);
    expect(events[events.length - 1].type).toBe('cancelled');
    const result = (await http().get(`/api/jobs/${job.id}/result`).expect(200)).body;
    expect(result).toMatchObject({ partial: true, stoppedAt: { window: result.metrics.windows } });
    expect(result.metrics.windows).toBeGreaterThanOrEqual(1);
    expect(cancelled.body.partialWindows).toBe(result.metrics.windows);
    const expected = await runInProcess(buildScenario(raw, long), {
      untilWindow: result.metrics.windows,
    });
    expect(result.digest).toBe(expected.digest);
  });

  it('runs one job per policy as a compare group', async () => {
    const res = await http()
      .post('/api/compare')
      .send({ scenario: raw, overrides: SMALL, policies: ['overhaul', 'overhaul+hv-flush-current'] })
      .expect(201);
    expect(res.body.jobs).toHaveLength(2);
    const view = await eventually(async () => {
      const v = (await http().get(`/api/compare/${res.body.groupId}`).expect(200)).body;
      return v.results.every(Boolean) ? v : null;
    });
    const byPolicy = Object.fromEntries(view.results.map((r: { policy: string }) => [r.policy, r]));
    expect(Object.keys(byPolicy).sort()).toEqual(['overhaul', 'overhaul+hv-flush-current']);
    expect(view.jobs.map((j: JobView) => j.policy)).toEqual(view.results.map((r: { policy: string }) => r.policy));
    expect(byPolicy['overhaul+hv-flush-current'].violations.total).toBe(0);
  });

  it('reports the worker in /health and jobs in /metrics', async () => {
    const health = await http().get('/health').expect(200);
    expect(health.body.info).toMatchObject({ redis: { status: 'up' }, workers: { status: 'up', live: 1 } });
    expect(typeof health.body.info.workers.demand).toBe('number'); // the autoscaler's target (deploy/k8s)
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tlbsim_slots_demanded\{kind="total"\} \d+/);
    // The shard queue, observed through @nestjs/bullmq: the completed shard jobs of this suite.
    expect(metrics.text).toMatch(/tlbsim_shard_queue_jobs\{state="waiting"\} \d+/);
    expect(metrics.text).toMatch(/tlbsim_jobs\{state="completed"\} [1-9]/);
    expect(metrics.text).toMatch(/tlbsim_simulated_accesses_total [1-9]/);
  });
});
