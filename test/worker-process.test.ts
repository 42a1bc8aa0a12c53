/**
 * The worker process's own main (services/worker/dist/main.js), as the
 * Dockerfile's image, docker-compose.yml and deploy/k8s start it: configured
 * by the environment alone; a bad value is one line and exit 2, an
 * unreachable Redis one line and exit 3; with Redis it registers as a live
 * worker with the concurrency of TLBSIM_WORKER_CONCURRENCY and stops on
 * SIGTERM with exit 0.
 */
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createJobsService, JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { eventually } from './support/coordinator.fixture';
import { startRedis, TestRedis } from './support/redis-server';

const WORKER_MAIN = join(__dirname, '..', 'services', 'worker', 'dist', 'main.js');

function start(env: Record<string, string>): {
  child: ChildProcess;
  done: Promise<{ code: number | null; err: string }>;
} {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TLBSIM_') && !k.startsWith('REDIS_')),
  );
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; err: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, err })),
  );
  return { child, done };
}

describe('the worker process (services/worker main)', () => {
  it('a bad environment value: one line naming it, exit 2', async () => {
    const { code, err } = await start({ TLBSIM_WORKER_CONCURRENCY: 'many' }).done;
    expect(err).toBe('tlbsim worker: TLBSIM_WORKER_CONCURRENCY: expected an integer 1..1024, got "many"\n');
    expect(code).toBe(2);
  });

  it('no Redis named: one line saying which variables name one, exit 2', async () => {
    const { code, err } = await start({}).done;
    expect(err).toBe('tlbsim worker: no Redis given: set TLBSIM_REDIS_URL, REDIS_URL or REDIS_CLUSTER_NODES\n');
    expect(code).toBe(2);
  });

  it('an unreachable Redis: one line naming it, exit 3', async () => {
    const { code, err } = await start({ TLBSIM_REDIS_URL: 'redis://127.0.0.1:1' }).done;
    expect(err).toMatch(/^tlbsim worker: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(3);
  });

  describe('with Redis', () => {
    let redis: TestRedis;
    let jobs: JobsService;
    beforeAll(async () => {
      RedisConnectionMonitor.log = () => undefined;
      redis = await startRedis();
      jobs = createJobsService({ redisUrl: redis.url });
    });
    afterAll(async () => {
      await jobs?.close();
      await redis?.stop();
    });

    it('registers with the configured concurrency and stops on SIGTERM with exit 0', async () => {
      const worker = start({ TLBSIM_REDIS_URL: redis.url, TLBSIM_WORKER_CONCURRENCY: '3' });
      const [live] = await eventually(async () => {
        const w = await jobs.workers();
        return w.length === 1 ? w : null;
      });
      expect(live.capacity).toBe(3);
      worker.child.kill('SIGTERM');
      const { code, err } = await worker.done;
      expect(err).toMatch(/SIGTERM, stopping/);
      expect(code).toBe(0);
    });
  });
});
