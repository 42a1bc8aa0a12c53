/**
 * Hostile or broken requests to the coordinator (real Redis) get a 4xx with
 * a one-line reason, never a 500: malformed SSE `Last-Event-ID`, nesting
 * beyond the documented depth, a bogus `Content-Encoding`, prototype keys,
 * non-integer shards; a `?token=` is never echoed back; a `Last-Event-ID`
 * beyond the end of the stream still delivers the job's end.
 */
import { gzipSync } from 'zlib';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { RedisConnectionMonitor } from '@tlbsim/jobs';
import { parseSse } from '../support/coordinator.fixture';
import { startRedis, TestRedis } from '../support/redis-server';

jest.setTimeout(60000);

let redis: TestRedis;
let app: NestExpressApplication;
let base: string;

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  redis = await startRedis();
  app = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent', prefix: 'bad' });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10000) });
  return { status: res.status, text: await res.text() };
}

const json = { 'content-type': 'application/json' };
const small = { scenarioName: 'hyperv-svm-root-reuse', overrides: ['workload.accessesPerVcpu=1000'] };

/** A job nobody runs (no workers), cancelled if `cancel`. */
async function job(cancel: boolean): Promise<string> {
  const created = await call('/api/jobs', { method: 'POST', headers: json, body: JSON.stringify(small) });
  expect(created.status).toBe(201);
  const id = (JSON.parse(created.text) as { id: string }).id;
  if (cancel) expect((await call(`/api/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
  return id;
}

describe('no 500 for bad input', () => {
  it.each([
    ['abc', 'abc'],
    ['-1', '-1'],
    ['1-1-1', '1-1-1'],
    ['5000 digits', '9'.repeat(5000)],
    ['$', '$'],
    ['1-', '1-'],
    ['-', '-'],
    ['ms past 2^64', '18446744073709551616-0'],
    ['seq past 2^64', '0-18446744073709551616'],
  ])('SSE Last-Event-ID %s: 400 naming the header', async (_label, bad) => {
    const id = await job(true);
    const r = await call(`/api/jobs/${id}/events`, { headers: { 'last-event-id': bad } });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/Last-Event-ID/);
  });

  it('SSE Last-Event-ID beyond the end: a finished job answers 204 (as after its final event); a running one what comes next', async () => {
    const done = await job(true);
    const r = await call(`/api/jobs/${done}/events`, { headers: { 'last-event-id': '99999999999999-5' } });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    const open = await job(false);
    const pending = call(`/api/jobs/${open}/events`, { headers: { 'last-event-id': '99999999999999-5' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call(`/api/jobs/${open}`, { method: 'DELETE' })).status).toBe(200);
    const tail = await pending;
    expect(tail.status).toBe(200);
    expect(parseSse(tail.text).map((m) => (m.data as { type: string }).type)).toContain('cancelled');
  });

  it('a YAML body nested 120,000 deep: 400 naming the limit, refused at the 32nd level, /health answered meanwhile', async () => {
    const body = `scenario: ${'['.repeat(120_000)}${']'.repeat(120_000)}`;
    const yaml = { 'content-type': 'application/yaml' };
    const [bad, probe] = await Promise.all([
      call('/api/jobs', { method: 'POST', headers: yaml, body }),
      call('/health'),
    ]);
    expect(probe.status).toBe(200);
    expect(bad.status).toBe(400);
    const details = (JSON.parse(bad.text) as { details: { constraint: string; limit: number; message: string }[] })
      .details;
    expect(details[0]).toMatchObject({ constraint: 'maxDepth', limit: 32 });
    // The lexer stopped at the bracket past the limit (column 42), not at the end of the 240 KB body.
    expect(details[0].message).toContain('at line 1, column 42');
  });

  it.each([100, 20000])('a body nested %i deep: 400 naming the depth limit', async (depth) => {
    const body = `{"scenario":{"name":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const r = await call('/api/jobs', { method: 'POST', headers: json, body });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/nest|depth/i);
  });

  it.each(['gzip', 'deflate', 'br', 'compress', 'x-bogus'])(
    'Content-Encoding %s on a plain body: 400 or 415',
    async (encoding) => {
      const r = await call('/api/jobs', {
        method: 'POST',
        headers: { ...json, 'content-encoding': encoding },
        body: JSON.stringify(small),
      });
      expect([400, 415]).toContain(r.status);
    },
  );

  it('a real gzip body is still accepted', async () => {
    const r = await call('/api/jobs', {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(small)),
    });
    expect(r.status).toBe(201);
  });

  it.each([
    ['{"__proto__":{"polluted":1},"scenarioName":"hyperv-svm-root-reuse"}', '__proto__'],
    ['{"constructor":{"prototype":{}},"scenarioName":"hyperv-svm-root-reuse"}', 'constructor'],
    ['{"scenario":{"name":"p","fleet":{"__proto__":{"hosts":99}}}}', 'scenario.fleet.__proto__'],
    ['{"scenario":{"name":"p","constructor":1}}', 'scenario.constructor'],
  ])('prototype key in %s: 400 naming %s', async (body, key) => {
    const r = await call('/api/jobs', { method: 'POST', headers: json, body });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).details.map((d: { path: string }) => d.path)).toContain(key);
  });

  it.each([true, 1.5, [2], '2.5', 'two', {}])('shards %p: 400 naming shards', async (shards) => {
    const r = await call('/api/jobs', { method: 'POST', headers: json, body: JSON.stringify({ ...small, shards }) });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).details.map((d: { path: string }) => d.path)).toContain('shards');
  });

  it("shards beyond the fleet's actors: 400 naming shards and the limit (bad input, not a 429 of the store)", async () => {
    const scenario = { name: 'tiny', fleet: { hosts: 1, vmsPerHost: 1, vcpusPerVm: 1 } };
    for (const path of ['/api/jobs', '/api/compare']) {
      const body = {
        scenario,
        shards: 10,
        ...(path === '/api/compare' ? { policies: ['overhaul', 'pre-overhaul'] } : {}),
      };
      const r = await call(path, { method: 'POST', headers: json, body: JSON.stringify(body) });
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.text).toMatch(/shards: 10 exceeds the maximum 3 \(the number of actors/);
    }
  });

  it('shards as a number, and as a query string of a YAML submission, still work', async () => {
    expect(
      (await call('/api/jobs', { method: 'POST', headers: json, body: JSON.stringify({ ...small, shards: 2 }) }))
        .status,
    ).toBe(201);
    const yaml = await call('/api/jobs?shards=2&set=workload.accessesPerVcpu=1000', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'name: y\n',
    });
    expect(yaml.status).toBe(201);
    expect(JSON.parse(yaml.text).shards).toBe(2);
  });

  it('?token=... is refused without echoing the token', async () => {
    for (const path of ['/api/jobs?token=s3cr3t-TOKEN', '/api/live?token=s3cr3t-TOKEN']) {
      const r = await call(path);
      expect(r.status).toBe(400);
      expect(r.text).not.toContain('s3cr3t-TOKEN');
      expect(r.text).toContain('token');
    }
  });
});
