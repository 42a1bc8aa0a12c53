/**
 * What every worker fault suite (test/faults) sets up the same way: its own
 * redis-server on a free port for the file, and the worker processes and
 * the JobsService a test starts, stopped after each test whatever it left
 * running. One place, so a suite cannot forget a worker or its Redis.
 */
import { existsSync } from 'fs';
import { JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import { startRedis, TestRedis } from './redis-server';
import { CLI_MAIN, WorkerProcess } from './worker-process';

/** The suite's Redis, workers and service (set by the hooks {@link workerFaultHarness} registers). */
export interface WorkerFaultHarness {
  /** The file's own Redis (started before the first test). */
  redis: TestRedis;
  /** The workers a test started: killed after it. */
  workers: WorkerProcess[];
  /** The service a test submitted with: closed after it. */
  service: JobsService | null;
}

/**
 * Registers the suite's hooks and returns the state they manage.
 *
 * @param beforeStop - run after each test before its workers are killed (e.g. SIGCONT to a frozen one)
 */
export function workerFaultHarness(beforeStop?: () => void): WorkerFaultHarness {
  const h = { workers: [], service: null } as unknown as WorkerFaultHarness;
  beforeAll(async () => {
    RedisConnectionMonitor.log = () => undefined; // this process's own lines are noise here
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
    h.redis = await startRedis();
  });
  afterEach(async () => {
    beforeStop?.();
    await Promise.all(h.workers.map((w) => w.kill()));
    h.workers = [];
    await h.service?.close();
    h.service = null;
  });
  afterAll(async () => {
    await h.redis?.stop();
  });
  return h;
}
