/**
 * SSE streams are bounded: many followers of one job share one reader and
 * add no Redis connection; a client (and the server) has a cap on open
 * streams, 429 beyond; `/metrics` counts them; every follower still gets
 * the job's end. Real Redis.
 */
import Redis from 'ioredis';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp, CoordinatorOptions } from '@tlbsim/coordinator';
import { RedisConnectionMonitor } from '@tlbsim/jobs';
import { parseSse } from '../support/coordinator.fixture';
import { until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';

jest.setTimeout(60000);

let redis: TestRedis;
let probe: Redis;
const apps: NestExpressApplication[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  redis = await startRedis();
  probe = new Redis(redis.url);
});

afterAll(async () => {
  for (const a of apps) await a.close();
  probe?.disconnect();
  await redis?.stop();
});

async function coordinator(prefix: string, options: Partial<CoordinatorOptions>): Promise<string> {
  const app = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent', prefix, ...options });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** An open SSE response being read in the background. */
interface Follower {
  status: number;
  text(): string;
  ended: Promise<void>;
}

async function follow(url: string): Promise<Follower> {
  const res = await fetch(url, { headers: { Accept: 'text/event-stream' } });
  let text = '';
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => undefined);
  return { status: res.status, text: () => text, ended };
}

async function clients(): Promise<number> {
  return ((await probe.client('LIST')) as string).trim().split('\n').length;
}

async function metric(base: string, line: RegExp): Promise<number | null> {
  const m = line.exec(await (await fetch(`${base}/metrics`)).text());
  return m ? Number(m[1]) : null;
}

describe('bounded SSE', () => {
  it('50 followers of one job: one reader, no extra Redis connection, counted; the 61st from a client is refused; all get the end', async () => {
    const base = await coordinator('sse1', { sseStreamsPerClientMax: 60, sseStreamsMax: 100 });
    const created = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioName: 'hyperv-svm-root-reuse', overrides: ['workload.accessesPerVcpu=1000'] }),
    });
    const { id } = (await created.json()) as { id: string };
    const before = await clients();
    const followers = await Promise.all(Array.from({ length: 50 }, () => follow(`${base}/api/jobs/${id}/events`)));
    expect(followers.every((f) => f.status === 200)).toBe(true);
    await until(
      '50 streams counted',
      async () => (await metric(base, /^tlbsim_sse_streams\{kind="job-events"\} (\d+)/m)) === 50,
      10000,
    );
    expect(await metric(base, /^tlbsim_sse_job_readers (\d+)/m)).toBe(1);
    expect(await clients()).toBeLessThanOrEqual(before + 2);
    followers.push(...(await Promise.all(Array.from({ length: 10 }, () => follow(`${base}/api/jobs/${id}/events`)))));
    const refused = await follow(`${base}/api/jobs/${id}/events`);
    expect(refused.status).toBe(429);
    await refused.ended;
    expect(refused.text()).toMatch(/too many open event streams/);
    expect(await metric(base, /^tlbsim_sse_streams_refused_total (\d+)/m)).toBe(1);
    expect((await fetch(`${base}/api/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    // Bounded wait; the timer is cleared (an uncleared one kept jest alive after the suite).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(followers.map((f) => f.ended)),
      new Promise((r) => (timer = setTimeout(r, 10000))),
    ]).finally(() => clearTimeout(timer));
    const lastTypes = followers.map((f) => (parseSse(f.text()).at(-1)?.data as { type?: string } | undefined)?.type);
    expect(lastTypes.filter((t) => t !== 'cancelled')).toEqual([]);
    await until(
      'streams closed',
      async () => (await metric(base, /^tlbsim_sse_streams\{kind="job-events"\} (\d+)/m)) === 0,
      5000,
    );
  });

  it('the total cap holds across clients and kinds', async () => {
    const base = await coordinator('sse2', { sseStreamsPerClientMax: 10, sseStreamsMax: 3 });
    const open = await Promise.all([
      follow(`${base}/api/live?limit=1`),
      follow(`${base}/api/live?limit=1`),
      follow(`${base}/api/live?limit=1`),
    ]);
    expect(open.map((f) => f.status)).toEqual([200, 200, 200]);
    const over = await follow(`${base}/api/live?limit=1`);
    expect(over.status).toBe(429);
    expect(await metric(base, /^tlbsim_sse_streams\{kind="live"\} (\d+)/m)).toBe(3);
  });
});
