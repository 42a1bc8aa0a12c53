import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolve } from 'path';
import request from 'supertest';
import { createCoordinatorApp } from './coordinator.bootstrap';
import type { CoordinatorOptions } from './coordinator.options';
import { FakeJobsPort } from './testing/fake-jobs.port';

const SCENARIOS = resolve(__dirname, '..', '..', '..', 'scenarios');
const small = { name: 'spec', workload: { accessesPerVcpu: 1000 } };

async function app(
  options: Partial<CoordinatorOptions> = {},
): Promise<{ app: NestExpressApplication; jobs: FakeJobsPort }> {
  const jobs = new FakeJobsPort();
  const a = await createCoordinatorApp({
    jobs,
    logLevel: 'silent',
    scenariosDir: SCENARIOS,
    dashboardDir: '/nonexistent',
    ...options,
  });
  await a.init();
  return { app: a, jobs };
}

describe('coordinator HTTP API (fake job store)', () => {
  let ctx: { app: NestExpressApplication; jobs: FakeJobsPort };
  beforeAll(async () => (ctx = await app()));
  afterAll(async () => ctx.app.close());
  const http = () => request(ctx.app.getHttpServer());

  it('submits a JSON scenario with overrides and shorthands', async () => {
    const res = await http()
      .post('/api/jobs')
      .send({ scenario: small, overrides: ['fleet.hosts=2'], seed: 7, policy: 'pre-overhaul', shards: 2 })
      .expect(201);
    expect(res.body).toMatchObject({ state: 'queued', policy: 'pre-overhaul', seed: 7, shards: 2 });
    expect(ctx.jobs.scenarios.get(res.body.id)?.fleet.hosts).toBe(2);
  });

  it('submits a YAML scenario with query overrides', async () => {
    const yaml = 'name: from-yaml\nfleet:\n  hosts: 1\n';
    const res = await http()
      .post('/api/jobs?set=fleet.vmsPerHost=3&seed=9')
      .set('Content-Type', 'application/yaml')
      .send(yaml)
      .expect(201);
    expect(res.body).toMatchObject({ name: 'from-yaml', seed: 9 });
    expect(ctx.jobs.scenarios.get(res.body.id)?.fleet.vmsPerHost).toBe(3);
  });

  it('submits a shipped scenario by name', async () => {
    const res = await http()
      .post('/api/jobs')
      .send({ scenarioName: 'hyperv-svm-root-reuse', overrides: ['workload.accessesPerVcpu=100'] })
      .expect(201);
    expect(res.body.name).toBe('hyperv-svm-root-reuse');
    await http().post('/api/jobs').send({ scenarioName: 'nope' }).expect(404);
  });

  it('400s with every bad scenario field and its dotted path', async () => {
    const res = await http()
      .post('/api/jobs')
      .send({ scenario: { name: 'bad', fleet: { hosts: 0, bogus: 1 }, tlb: { ways: 'x' } } })
      .expect(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['fleet.hosts', 'fleet.bogus', 'tlb.ways']));
    expect(res.body.details.find((d: { path: string }) => d.path === 'fleet.hosts').constraint).toBe('min');
  });

  it("400s in one pass: request fields and scenario fields together, in the CLI's wording", async () => {
    const res = await http()
      .post('/api/jobs')
      .send({
        scenario: { name: 'bad', fleet: { hosts: 0 } },
        shards: 0,
        colour: 'red',
        policy: 'overhual',
        overrides: ['tlb.ways=999'],
      })
      .expect(400);
    expect(res.body.message).toBe('invalid request');
    expect(res.body.details.map((d: { message: string }) => d.message)).toEqual(
      expect.arrayContaining([
        'shards: 0 is below the minimum 1',
        'colour: unknown key',
        'fleet.hosts: 0 is below the minimum 1',
        'tlb.ways: 999 exceeds the maximum 64',
        expect.stringMatching(/^kvm\.policy: "overhual" is not one of .*; did you mean overhaul\?$/),
      ]),
    );
    const named = await http()
      .post('/api/jobs')
      .send({ scenarioName: 'hyperv-svm-root-reuse', seed: -1, overrides: ['fleet.hosts=0'] })
      .expect(400);
    expect(named.body.details.map((d: { message: string }) => d.message)).toEqual([
      'seed: -1 is below the minimum 0',
      'fleet.hosts: 0 is below the minimum 1',
    ]);
    const compare = await http()
      .post('/api/compare')
      .send({ scenario: small, policies: ['overhaul', 'pre-overhual'] })
      .expect(400);
    expect(compare.body.details.map((d: { message: string }) => d.message)).toEqual([
      'policies: "pre-overhual" is not one of pre-overhaul, overhaul, overhaul+hv-flush-current, overhaul+flush-on-alloc, enlightened-tlb-off, each optionally followed by +preserve-roots and/or +cr0wp-keep-roots (in that order); did you mean pre-overhaul?',
    ]);
  });

  it('400s for unknown body keys, bad overrides, bad YAML, malformed JSON', async () => {
    const extra = await http().post('/api/jobs').send({ scenario: small, hack: 1 }).expect(400);
    expect(extra.body.details[0]).toMatchObject({ path: 'hack', constraint: 'unknownKey' });
    const over = await http()
      .post('/api/jobs')
      .send({ scenario: small, overrides: ['fleet.hosts=abc'] })
      .expect(400);
    expect(over.body.details[0].path).toBe('fleet.hosts');
    const yaml = await http().post('/api/jobs').set('Content-Type', 'application/yaml').send('a: [').expect(400);
    expect(yaml.body.details[0].constraint).toBe('parse');
    await http().post('/api/jobs').set('Content-Type', 'application/json').send('{"x":').expect(400);
    await http().post('/api/jobs').send({}).expect(400);
  });

  it('413s oversize bodies', async () => {
    await http()
      .post('/api/jobs')
      .send({ scenario: { name: 'x'.repeat(300 * 1024) } })
      .expect(413);
  });

  it('lists, gets, cancels; 404 for unknown jobs', async () => {
    // Its own jobs, so the test does not depend on what earlier tests created.
    for (const seed of [1, 2]) await http().post('/api/jobs').send({ scenario: small, seed }).expect(201);
    const page = await http().get('/api/jobs?limit=2').expect(200);
    expect(page.body.items).toHaveLength(2);
    await http().get('/api/jobs?limit=0').expect(400);
    const id = page.body.items[0].id;
    await http().get(`/api/jobs/${id}`).expect(200);
    await http().get(`/api/jobs/${id}/result`).expect(409);
    await http().get('/api/jobs/nope').expect(404);
    await http().get('/api/jobs/nope/result').expect(404);
    await http().get('/api/jobs/nope/events').expect(404);
    await http().delete('/api/jobs/nope').expect(404);
    expect((await http().delete(`/api/jobs/${id}`).expect(200)).body.state).toBe('cancelled');
  });

  it('compares policies as a group', async () => {
    const res = await http()
      .post('/api/compare')
      .send({ scenario: small, policies: ['overhaul', 'pre-overhaul'] })
      .expect(201);
    expect(res.body.jobs.map((j: { policy: string }) => j.policy)).toEqual(['overhaul', 'pre-overhaul']);
    const group = await http().get(`/api/compare/${res.body.groupId}`).expect(200);
    expect(group.body.results).toEqual([null, null]);
    await http()
      .post('/api/compare')
      .send({ scenario: small, policies: ['nope'] })
      .expect(400);
  });

  it('streams a job as SSE until its final event, resumable with Last-Event-ID', async () => {
    const job = await http().post('/api/jobs').send({ scenario: small }).expect(201);
    ctx.jobs.emit(job.body.id, {
      type: 'window-completed',
      shard: 0,
      worker: 'w',
      window: 5,
      accesses: 10,
      tlbHits: 9,
      tlbMisses: 1,
      nestedWalks: 0,
      hypercalls: 0,
      shootdownMessages: 0,
      violations: 0,
    });
    setTimeout(() => {
      ctx.jobs.jobs.get(job.body.id)!.state = 'completed';
      ctx.jobs.emit(job.body.id, { type: 'completed', digest: 'abc' });
    }, 100);
    const res = await http()
      .get(`/api/jobs/${job.body.id}/events`)
      .expect(200)
      .expect('Content-Type', /text\/event-stream/);
    const ids = [...res.text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]);
    expect(ids).toEqual(['1-0', '2-0', '3-0']);
    const resumed = await http().get(`/api/jobs/${job.body.id}/events`).set('Last-Event-ID', '1-0').expect(200);
    expect([...resumed.text.matchAll(/^id: (.+)$/gm)].map((m) => m[1])).toEqual(['2-0', '3-0']);
    await http().get(`/api/jobs/${job.body.id}/events`).set('Last-Event-ID', '3-0').expect(204);
  });

  it('serves scenarios, workers, health, metrics and OpenAPI', async () => {
    const scenarios = await http().get('/api/scenarios').expect(200);
    expect(scenarios.body.map((s: { id: string }) => s.id)).toContain('hyperv-svm-root-reuse');
    await http().get('/api/workers').expect(200, []);
    const health = await http().get('/health').expect(200);
    expect(health.body.info).toMatchObject({ redis: { status: 'up' }, workers: { status: 'up', live: 0 } });
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tlbsim_jobs\{state="queued"\} \d+/);
    expect(metrics.text).toMatch(/tlbsim_violations_total/);
    const docs = await http().get('/api/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/jobs', '/api/jobs/{id}/events', '/api/compare']),
    );
    expect(docs.body.paths['/api/jobs'].post.requestBody.content['application/json']).toBeDefined();
    expect(Object.keys(docs.body.components.schemas.SubmitJobDto.properties)).toEqual(
      expect.arrayContaining(['scenario', 'scenarioName', 'overrides', 'seed', 'policy', 'shards']),
    );
    expect(docs.body.components.schemas.CompareJobsDto.required).toContain('policies');
  });
});

describe('coordinator security', () => {
  it('needs the bearer token on every /api route when TLBSIM_API_TOKEN is set', async () => {
    const { app: a } = await app({ apiToken: 's3cret' });
    const http = () => request(a.getHttpServer());
    await http().post('/api/jobs').send({ scenario: small }).expect(401);
    await http().post('/api/jobs').set('Authorization', 'Bearer wrong').send({ scenario: small }).expect(401);
    await http().post('/api/jobs').set('Authorization', 'Bearer s3cret').send({ scenario: small }).expect(201);
    await http().delete('/api/jobs/x').expect(401);
    await http().get('/api/jobs').expect(401);
    await http().get('/api/jobs').set('Authorization', 'Bearer s3cret').expect(200);
    await http().get('/queues').expect(401);
    await http().get('/queues').set('Authorization', 'Bearer s3cret').expect(200);
    await a.close();
  });

  it('rate-limits submissions per client with 429', async () => {
    const { app: a } = await app({ submitRateLimit: { limit: 3, ttlMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await request(a.getHttpServer()).post('/api/jobs').send({ scenario: small })).status);
    expect(codes).toEqual([201, 201, 201, 429, 429]);
    await request(a.getHttpServer()).get('/api/jobs').expect(200);
    await a.close();
  });

  it('has CORS off by default', async () => {
    const { app: a } = await app();
    const res = await request(a.getHttpServer()).get('/api/jobs').set('Origin', 'http://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await a.close();
  });
});
