/**
 * With `TLBSIM_API_TOKEN` set, nothing under `/api` is readable without it:
 * jobs, results, exports, event streams, the live feed, workers (host
 * names, pids), scenarios, compare groups, sweeps. `/health` stays open;
 * `/metrics` needs `TLBSIM_METRICS_TOKEN` when that is set. Real Redis.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { RedisConnectionMonitor } from '@tlbsim/jobs';
import { chromium } from 'playwright-core';
import { startRedis, TestRedis } from '../support/redis-server';
import { describeWith } from '../support/required-tool';

jest.setTimeout(60000);

const API = 'api-s3cret';
const METRICS = 'metrics-s3cret';
let redis: TestRedis;
let app: NestExpressApplication;
let base: string;

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  redis = await startRedis();
  app = await createCoordinatorApp({
    redisUrl: redis.url,
    logLevel: 'silent',
    prefix: 'auth',
    apiToken: API,
    metricsToken: METRICS,
  });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

async function status(path: string, token?: string, init: RequestInit = {}): Promise<number> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(10000),
  });
  await res.body?.cancel();
  return res.status;
}

describe('protected reads', () => {
  it('every /api read needs the API token; /health is open; /metrics needs the metrics token', async () => {
    const created = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioName: 'hyperv-svm-root-reuse', overrides: ['workload.accessesPerVcpu=1000'] }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await status(`/api/jobs/${id}`, API, { method: 'DELETE' })).toBe(200);
    const reads = [
      '/api/jobs',
      `/api/jobs/${id}`,
      `/api/jobs/${id}/result`,
      `/api/jobs/${id}/events`,
      `/api/jobs/${id}/export`,
      '/api/workers',
      '/api/scenarios',
      '/api/scenarios/fields',
      '/api/live?limit=1',
      '/api/compare/g-none',
      '/api/sweeps',
      '/api/sweeps/none',
    ];
    const open = await Promise.all(reads.map(async (p) => [p, await status(p)] as const));
    expect(open.filter(([, s]) => s !== 401)).toEqual([]);
    const wrong = await Promise.all(reads.map(async (p) => [p, await status(p, 'wrong')] as const));
    expect(wrong.filter(([, s]) => s !== 401)).toEqual([]);
    for (const p of ['/api/jobs', `/api/jobs/${id}`, `/api/jobs/${id}/export`, '/api/workers', '/api/scenarios'])
      expect([p, await status(p, API)]).toEqual([p, 200]);
    expect(await status('/health')).toBe(200);
    expect(await status('/metrics')).toBe(401);
    expect(await status('/metrics', API)).toBe(401);
    expect(await status('/metrics', METRICS)).toBe(200);
  });
});

describeWith('chromium', 'the dashboard with a token', () => {
  it('reads the live job list through a fetch stream with the token in a header, never in a URL', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const urls: string[] = [];
      let unauthorized = 0;
      page.on('request', (r) => urls.push(r.url()));
      page.on('response', (r) => {
        if (r.status() === 401) unauthorized++;
      });
      await page.goto(`${base}/`);
      // The token field of the header, as a user types it.
      await page.fill('#token', API);
      await page.dispatchEvent('#token', 'change');
      await page.reload();
      await page.waitForSelector('[data-testid=jobs] tr[data-job]', { timeout: 15000 });
      expect(urls.filter((u) => u.includes(API))).toEqual([]);
      expect(urls.some((u) => u.includes('/api/live'))).toBe(true);
      // Without the token the same page gets 401s and no rows.
      await page.evaluate(() => localStorage.removeItem('tlbsim.apiToken'));
      unauthorized = 0;
      await page.reload();
      await page.waitForTimeout(1500);
      expect(unauthorized).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=jobs] tr[data-job]').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
