/**
 * The coordinator while its Redis is gone (killed with SIGKILL): `/health`
 * answers 503 naming Redis within 2 s, API routes 503 with `Retry-After`,
 * `/metrics` still answers; all recover by themselves when Redis returns
 * (on the same data). Several trials ask at different times after the kill.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { RedisConnectionMonitor } from '@tlbsim/jobs';
import { sleep, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';

jest.setTimeout(90000);

let redis: TestRedis;
let app: NestExpressApplication;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = (line) => logged.push(line);
  redis = await startRedis();
  app = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent', prefix: 'apidown' });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
  base = base.replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

/**
 * A request; returns status, headers and body text. Its answer while Redis is
 * down is the assertion that it did not wait for Redis: a request whose
 * commands queued would wait until the test restarts Redis, after the
 * answer is checked (the 20 s client bound only turns such a hang into a failure).
 */
async function timed(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; retryAfter: string | null; text: string }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(20000) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
}

const TRIALS = [{ afterKillMs: 0 }, { afterKillMs: 400 }, { afterKillMs: 1500 }];

describe('coordinator with Redis down', () => {
  TRIALS.forEach((t) => {
    it(`${t.afterKillMs} ms after Redis died: 503s while it is down (nothing waits for it), /metrics answers, recovery when Redis is back`, async () => {
      expect((await timed('/health')).status).toBe(200);
      const created = await timed('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: { name: 'down', workload: { accessesPerVcpu: 1000 } } }),
      });
      expect(created.status).toBe(201);
      const id = (JSON.parse(created.text) as { id: string }).id;
      await sleep(1100); // past the append-only file's fsync period
      const linesBefore = logged.length;
      await redis.kill();
      await sleep(t.afterKillMs);

      const health = await timed('/health');
      expect(health.status).toBe(503);
      expect(health.text).toMatch(/redis/i);
      for (const path of ['/api/jobs', `/api/jobs/${id}`, '/api/workers']) {
        const r = await timed(path);
        expect({ path, status: r.status, retryAfter: r.retryAfter }).toEqual({
          path,
          status: 503,
          retryAfter: expect.stringMatching(/^\d+$/),
        });
        expect(r.text).toMatch(/redis/i);
      }
      const post = await timed('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'hyperv-svm-root-reuse' }),
      });
      expect(post.status).toBe(503);
      const metrics = await timed('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('tlbsim_redis_up 0');

      await redis.restart();
      await until('health 200 again', async () => (await timed('/health')).status === 200, 15000);
      const back = await timed(`/api/jobs/${id}`);
      expect(back.status).toBe(200);
      expect((await timed('/api/jobs')).status).toBe(200);
      expect((await timed('/metrics')).text).toContain('tlbsim_redis_up 1');
      // One line when Redis went, one when it came back, however many connections and retries.
      expect(logged.slice(linesBefore).map((l) => /unreachable|answers again/.exec(l)?.[0])).toEqual([
        'unreachable',
        'answers again',
      ]);
    });
  });
});
