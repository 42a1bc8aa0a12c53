/**
 * Capacity is visible: `submit` says how many slots a job needs and how
 * many are live (and follows workers that come and go), the job view and
 * `GET /api/jobs/:id` carry `slots`, `--wait-timeout` gives up with exit 3
 * and cancels, `tlbsim workers` lists live workers and free slots. The
 * built CLI, real redis-server and worker processes.
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JobView } from '@tlbsim/contracts';
import { createCoordinatorApp } from '@tlbsim/coordinator';
import { createJobsService, JobsService } from '@tlbsim/jobs';
import { startRedis, TestRedis } from './support/redis-server';
import { ROOT } from './support/scenario.fixture';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(90000);

const SCENARIO = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
let redis: TestRedis;
let jobs: JobsService;
let app: NestExpressApplication;
const workers: WorkerProcess[] = [];
const PREFIX = 'cap';

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tlbsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args, '--redis', redis.url, '--prefix', PREFIX], {
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  jobs = createJobsService({ redisUrl: redis.url, prefix: PREFIX });
  app = await createCoordinatorApp({ redisUrl: redis.url, prefix: PREFIX, logLevel: 'silent' });
  await app.init();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await app?.close();
  await jobs?.close();
  await redis?.stop();
});

describe('capacity', () => {
  it('tlbsim workers lists live workers and free slots', async () => {
    workers.push(startWorker(redis.url, ['--prefix', PREFIX, '--concurrency', '1']));
    await until('the worker to register', async () => (await jobs.workers()).length === 1);
    const human = tlbsim('workers');
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      /^WORKER +HOST +PID +SLOTS +SHARDS\n\S+ +\S+ +\d+ +0\/1 busy +-\n1 live worker, 1 slot, 1 free\n$/,
    );
    const json = JSON.parse(tlbsim('workers', '--json').stdout) as {
      workers: { capacity: number }[];
      slots: { live: number; free: number };
    };
    expect(json.workers.map((w) => w.capacity)).toEqual([1]);
    expect(json.slots).toEqual({ live: 1, free: 1 });
  });

  it('submit --wait says "needs N slots, M live", follows workers that go, and --wait-timeout cancels with exit 3', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        'submit',
        SCENARIO,
        '--shards',
        '2',
        '--wait',
        '--wait-timeout',
        '8',
        '--redis',
        redis.url,
        '--prefix',
        PREFIX,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const id = await until('the submitted line', () => /submitted job (\S+)/.exec(stderr)?.[1]);
    await until('the waiting line', () => stderr.includes(`job ${id} waiting for workers: needs 2 slots, 1 live\n`));

    // The job view and the API carry the slots.
    const view = (await jobs.get(id))!;
    expect(view.state).toBe('waiting-for-workers');
    expect(view.slots).toEqual({ needed: 2, live: 1, free: 1 });
    const api = await request(app.getHttpServer()).get(`/api/jobs/${id}`).expect(200);
    expect((api.body as JobView).slots).toMatchObject({ needed: 2, live: 1 });

    // The only worker leaves: the count follows though no worker runs admission passes any more.
    await workers.pop()!.stop();
    await until('the updated waiting line', () =>
      stderr.includes(`job ${id} waiting for workers: needs 2 slots, 0 live\n`),
    );
    expect((await jobs.get(id))!.slots).toEqual({ needed: 2, live: 0, free: 0 });

    expect(await exited).toBe(3);
    expect(stderr).toMatch(
      new RegExp(`job ${id} still waiting-for-workers after 8 s \\(needs 2 slots, 0 live\\); cancelled\\n$`),
    );
    expect((await jobs.get(id))!.state).toBe('cancelled');
    expect((await jobs.get(id))!.slots).toBeNull();
    expect(await jobs.slotDemand()).toEqual({ held: 0, waiting: 0, total: 0 });
  });

  it('a bad --wait-timeout is exit 2 naming the flag', () => {
    const r = tlbsim('submit', SCENARIO, '--wait', '--wait-timeout', 'soon');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tlbsim: --wait-timeout: expected a positive number of seconds, got soon\n');
  });
});
