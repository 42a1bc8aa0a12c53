/**
 * One retention for every key a job creates, whichever process finishes it:
 * a job submitted with a short retention and cancelled through the API (a
 * coordinator with the default) expires after the submitter's retention;
 * `serve --retention-sec` applies to its coordinator, and a compare group's
 * index expires once all its jobs are finished. Real Redis and `serve`.
 */
import { existsSync } from 'fs';
import Redis from 'ioredis';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { createJobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { hotScenario, isRunning, startServe } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN } from '../support/worker-process';

jest.setTimeout(60000);

let redis: TestRedis;
let probe: Redis;
const killLater: number[] = [];

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  probe = new Redis(redis.url);
});

afterAll(async () => {
  for (const pid of killLater) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  probe?.disconnect();
  await redis?.stop();
});

/** TTL in seconds of every key of `prefix` matching `pattern` (-1: none, -2: gone). */
async function ttls(pattern: string): Promise<Record<string, number>> {
  const keys = await probe.keys(pattern);
  return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await probe.ttl(k)] as const)));
}

describe('retention', () => {
  it("a job submitted with a 5 s retention and cancelled through the API expires after 5 s, not the API's default", async () => {
    const submitter = createJobsService({ redisUrl: redis.url, prefix: 'r1', retentionSec: 5 });
    let app: NestExpressApplication | null = null;
    try {
      const { id } = await submitter.submit(hotScenario(1000), { shards: 1 });
      app = await createCoordinatorApp({ redisUrl: redis.url, logLevel: 'silent', prefix: 'r1' });
      await app.listen(0, '127.0.0.1');
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect((await fetch(`${base}/api/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
      const t = await ttls(`r1:{job:${id}}:*`);
      for (const key of [`r1:{job:${id}}:meta`, `r1:{job:${id}}:events`])
        expect([key, t[key] > 0 && t[key] <= 5]).toEqual([key, true]);
    } finally {
      await app?.close();
      await submitter.close();
    }
  });

  it('serve --retention-sec 6: its cancels use it, and a compare group expires once its jobs are finished', async () => {
    const serve = await startServe(['--redis', redis.url, '--prefix', 'r2', '--retention-sec', '6']);
    killLater.push(serve.child.pid!);
    try {
      const res = await fetch(`${serve.url}/api/compare`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          scenarioName: 'hyperv-svm-root-reuse',
          overrides: ['workload.accessesPerVcpu=1000'],
          policies: ['overhaul', 'pre-overhaul'],
        }),
      });
      expect(res.status).toBe(201);
      const { groupId, jobs } = (await res.json()) as { groupId: string; jobs: { id: string }[] };
      expect((await fetch(`${serve.url}/api/jobs/${jobs[0].id}`, { method: 'DELETE' })).status).toBe(200);
      // One job still open: the group index must not expire yet.
      expect(await probe.ttl(`r2:group:${groupId}`)).toBe(-1);
      expect((await fetch(`${serve.url}/api/jobs/${jobs[1].id}`, { method: 'DELETE' })).status).toBe(200);
      const group = await probe.ttl(`r2:group:${groupId}`);
      expect(group > 0 && group <= 6).toBe(true);
      const meta = await probe.ttl(`r2:{job:${jobs[1].id}}:meta`);
      expect(meta > 0 && meta <= 6).toBe(true);
    } finally {
      serve.child.kill('SIGTERM');
    }
  });
});
