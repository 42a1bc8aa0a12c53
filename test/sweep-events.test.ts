/**
 * The sweep store's events on a real redis-server: a progress event that
 * arrives after the sweep ended (a worker whose point finished just before
 * the last one, appending after the last one's worker wrote `completed`) is
 * dropped, so a reader never sees progress after the final event.
 */
import { createRedis, SweepRepository, TlbRedis } from '@tlbsim/jobs';
import { startRedis, TestRedis } from './support/redis-server';

let server: TestRedis;
let redis: TlbRedis;

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe('sweep events', () => {
  it('appends progress while the sweep runs, and none after its final event', async () => {
    const repo = new SweepRepository(redis, 'sweepev');
    const meta = {
      id: 's-late',
      kind: 'sweep' as const,
      name: 'late progress',
      createdAt: new Date(0).toISOString(),
      gridKeys: [],
      policies: ['overhaul'],
      seeds: 1,
      points: 2,
      state: 'running' as const,
      finishedAt: null,
      error: null,
    };
    await repo.create(meta, []);
    const fields = { kind: 'sweep' as const, points: 2, pointsMax: 2, pointsDone: 0, pointsPerSec: 0, best: null };
    expect(await repo.appendEvent(meta.id, { type: 'progress', ...fields })).toEqual(expect.any(String));
    expect(await repo.finish(meta.id, 'completed', null, 60, fields)).toBe(true);
    // The point that finished first, appending late.
    expect(await repo.appendEvent(meta.id, { type: 'progress', ...fields })).toBeNull();
    const events = await repo.readEvents(redis, meta.id, null, 0);
    expect(events.map((e) => e.type)).toEqual(['progress', 'completed']);
  });
});
