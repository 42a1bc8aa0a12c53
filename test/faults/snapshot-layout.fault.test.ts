/**
 * A job in flight across an upgrade of the workers: its stored snapshots
 * hold an earlier build's kernel layout. The new worker refuses to resume
 * from them and the job fails with one line naming both layouts, instead
 * of going on from misread state to a wrong digest.
 */
import { existsSync } from 'fs';
import Redis from 'ioredis';
import {
  createJobsService,
  decodeSnapshot,
  encodeSnapshot,
  JobKeys,
  JobsService,
  RedisConnectionMonitor,
} from '@tlbsim/jobs';
import { SNAPSHOT_LAYOUT } from '@tlbsim/sim-core';
import { exitsWithin, hotScenario, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(120000);

let redis: TestRedis;
let probe: Redis;
const workers: WorkerProcess[] = [];
let service: JobsService;

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  probe = new Redis(redis.url);
  service = createJobsService({ redisUrl: redis.url, prefix: 'layout' });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await service?.close();
  probe?.disconnect();
  await redis?.stop();
});

describe('resuming from a snapshot of another layout', () => {
  it('fails the job with one line naming both layouts', async () => {
    const args = ['--prefix', 'layout', '--concurrency', '2'];
    const first = startWorker(redis.url, args);
    workers.push(first);
    const { id } = await service.submit(hotScenario(50000), { shards: 2 });
    await until('progress past 40 windows', async () => (await service.get(id))!.progress.windows > 40, 60000);
    first.child.kill('SIGTERM'); // every running shard snapshots and stops
    expect(await exitsWithin(first.child, 10000)).toBe(true);
    expect((await service.get(id))!.state).toMatch(/^(running|waiting-for-workers|queued)$/);

    // What an earlier build wrote: the same state without a recorded layout.
    const keys = new JobKeys('layout', id);
    for (const shard of [0, 1]) {
      const bytes = await probe.getBuffer(keys.snapshot(shard));
      expect(bytes).not.toBeNull();
      const stored = decodeSnapshot(bytes!);
      expect(stored.sim.layout).toBe(SNAPSHOT_LAYOUT);
      delete stored.sim.layout;
      await probe.set(keys.snapshot(shard), encodeSnapshot(stored));
    }

    workers.push(startWorker(redis.url, args));
    const view = await service.waitFor(id, undefined, { timeoutMs: 60000 });
    expect(view.state).toBe('failed');
    expect(view.error).toMatch(
      new RegExp(
        `^shard [01]: snapshot layout 1 was written by another tlbsim build; this build reads layout ${SNAPSHOT_LAYOUT}: resubmit the job$`,
      ),
    );
  });
});
