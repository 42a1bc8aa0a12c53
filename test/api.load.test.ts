/**
 * Bounded load test: 200 concurrent `POST /api/jobs` (autocannon, one request
 * per connection, all at once) against a real Redis and worker. Every answer
 * is 201 or 429, none is lost (every 201 is listed by GET /api/jobs).
 * Latencies go to bench-out/api-load.json (for BENCHMARKS.md).
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import { CoordinatorStack, startStack } from './support/coordinator.fixture';

const CONCURRENT = 200;
const BODY = JSON.stringify({
  scenarioName: 'hyperv-svm-root-reuse',
  overrides: ['workload.accessesPerVcpu=2000', 'fleet.hosts=1'],
});

interface Round {
  label: string;
  submitLimit: number;
  created: number;
  limited: number;
  other: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  durationMs: number;
}

/** Fires CONCURRENT POSTs at once; returns the round and the ids of the 201s. */
async function fire(url: string, label: string, submitLimit: number): Promise<{ round: Round; ids: string[] }> {
  const ids: string[] = [];
  const statuses: number[] = [];
  const started = Date.now();
  const result = await autocannon({
    url: `${url}/api/jobs`,
    connections: CONCURRENT,
    amount: CONCURRENT,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        onResponse: (status: number, body: string) => {
          statuses.push(status);
          if (status === 201) ids.push((JSON.parse(body) as { id: string }).id);
        },
      },
    ],
  });
  const count = (s: number): number => statuses.filter((x) => x === s).length;
  const l = result.latency;
  const round: Round = {
    label,
    submitLimit,
    created: count(201),
    limited: count(429),
    other: statuses.length - count(201) - count(429),
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: Number(l.mean.toFixed(2)) },
    durationMs: Date.now() - started,
  };
  return { round, ids };
}

/** Every job id listed by GET /api/jobs (all pages). */
async function listedIds(server: Parameters<typeof request>[0]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let offset = 0; ; offset += 200) {
    const page = (await request(server).get(`/api/jobs?offset=${offset}&limit=200`).expect(200)).body as {
      items: { id: string }[];
      total: number;
    };
    page.items.forEach((j) => ids.add(j.id));
    if (offset + 200 >= page.total) return ids;
  }
}

describe('200 concurrent POST /api/jobs', () => {
  const rounds: Round[] = [];
  afterAll(() => {
    mkdirSync(join(__dirname, '..', 'bench-out'), { recursive: true });
    const out = {
      at: new Date().toISOString(),
      node: process.version,
      concurrent: CONCURRENT,
      body: JSON.parse(BODY) as unknown,
      rounds,
    };
    writeFileSync(join(__dirname, '..', 'bench-out', 'api-load.json'), `${JSON.stringify(out, null, 2)}\n`);
  });

  for (const [label, limit] of [
    ['default submit limit (120/min per client)', 120],
    ['submit limit raised above the load', 10_000],
  ] as const) {
    it(`answers 201 or 429 and loses nothing: ${label}`, async () => {
      let stack: CoordinatorStack | undefined;
      try {
        stack = await startStack({
          workers: 1,
          concurrency: 2,
          listen: true,
          options: { submitRateLimit: { limit, ttlMs: 60_000 } },
        });
        const url = await stack.app.getUrl();
        const { round, ids } = await fire(url, label, limit);
        rounds.push(round);
        expect(round).toMatchObject({ other: 0, errors: 0, timeouts: 0 });
        expect(round.created + round.limited).toBe(CONCURRENT);
        expect(round.created).toBe(Math.min(limit, CONCURRENT));
        const listed = await listedIds(stack.app.getHttpServer());
        expect(ids.filter((id) => !listed.has(id))).toEqual([]);
        expect(listed.size).toBe(round.created);
        // Cancel what has not run yet, so the suite stays short.
        await Promise.all(ids.map((id) => request(stack!.app.getHttpServer()).delete(`/api/jobs/${id}`).expect(200)));
      } finally {
        await stack?.stop();
      }
    });
  }
});
