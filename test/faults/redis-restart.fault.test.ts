/**
 * Redis killed (SIGKILL) and restarted under a running `tlbsim submit --wait`:
 * - with an append-only file (what tlbsim starts itself), nothing is lost:
 *   the job completes with the in-process digest, and each process logs one
 *   line when Redis goes and one when it is back (no ioredis stack traces);
 * - without persistence, the job is gone: `submit` says so in one line and
 *   exits 3 instead of a stack trace.
 */
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runInProcess } from '@tlbsim/engine';
import { createJobsService, JobsService, RedisConnectionMonitor } from '@tlbsim/jobs';
import {
  BareRedis,
  exitsWithin,
  hotScenario,
  hotScenarioInput,
  sleep,
  startBareRedis,
  until,
} from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN, startWorker, WorkerProcess } from '../support/worker-process';

jest.setTimeout(150000);

let workers: WorkerProcess[] = [];
let service: JobsService | null = null;
let redis: TestRedis | BareRedis | null = null;
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-restart-'));

beforeAll(() => {
  // This process's own line per Redis state change is noise here; the spawned processes' lines are checked.
  RedisConnectionMonitor.log = () => undefined;
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  await service?.close().catch(() => undefined);
  service = null;
  await redis?.stop();
  redis = null;
});

/** `tlbsim submit <file> --wait --json` against `url`; resolves with its exit code and output. */
function submitWait(
  url: string,
  prefix: string,
  file: string,
): { done: Promise<{ code: number | null; out: string; err: string }>; err: () => string } {
  const child = spawn(
    process.execPath,
    [CLI_MAIN, 'submit', file, '--redis', url, '--prefix', prefix, '--shards', '2', '--wait', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = exitsWithin(child, 90000).then((exited) => {
    if (!exited) child.kill('SIGKILL');
    return { code: exited ? child.exitCode : null, out, err };
  });
  return { done, err: () => err };
}

/** Starts a worker and `submit --wait` of a long job; resolves once the job has run `windows` windows. */
async function runningJob(url: string, prefix: string, accessesPerVcpu: number, windows: number) {
  service = createJobsService({ redisUrl: url, prefix });
  const jobs = service;
  workers.push(startWorker(url, ['--prefix', prefix, '--concurrency', '2']));
  const file = join(dir, `${prefix}.json`);
  writeFileSync(file, JSON.stringify(hotScenarioInput(accessesPerVcpu)));
  const sub = submitWait(url, prefix, file);
  const id = await until('job submitted', async () => /submitted job (\S+)/.exec(sub.err())?.[1], 30000);
  await until(`job past ${windows} windows`, async () => (await jobs.get(id))!.progress.windows > windows, 60000);
  return { sub, id };
}

/** Long enough (about 2,000 windows) that Redis goes down mid-run, after window 120 at the latest. */
const AOF_ACCESSES = 100000;
let expected: Promise<string> | null = null;
/** The in-process digest of the append-only trials' job, computed once. */
function expectedDigest(): Promise<string> {
  expected ??= runInProcess(hotScenario(AOF_ACCESSES), { shards: 1 }).then((r) => r.digest);
  return expected;
}

describe('Redis killed and restarted under submit --wait', () => {
  [
    { prefix: 'aof0', windows: 20, downMs: 200 },
    { prefix: 'aof1', windows: 120, downMs: 1500 },
  ].forEach((t) => {
    it(`with its append-only file (down ${t.downMs} ms after ${t.windows} windows): the job completes with the in-process digest`, async () => {
      const aof = await startRedis({ fsyncAlways: true });
      redis = aof;
      const { sub } = await runningJob(aof.url, t.prefix, AOF_ACCESSES, t.windows);
      await aof.kill();
      await sleep(t.downMs);
      await aof.restart();
      const r = await sub.done;
      expect({ code: r.code, err: r.err.slice(-1500) }).toEqual({ code: 0, err: expect.any(String) });
      expect(JSON.parse(r.out).digest).toBe(await expectedDigest());
      expect(r.err).not.toContain('Unhandled error event');
      expect(r.err.match(/is unreachable/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(workers[0].log()).not.toContain('Unhandled error event');
    });
  });

  [
    { prefix: 'bare0', windows: 20 },
    { prefix: 'bare1', windows: 100 },
  ].forEach((t) => {
    it(`without persistence (after ${t.windows} windows): submit says the job's records are gone, one line, exit 3`, async () => {
      const bare = await startBareRedis();
      redis = bare;
      const { sub } = await runningJob(bare.url, t.prefix, 3000000, t.windows);
      await bare.kill();
      await sleep(300);
      await bare.restart();
      const r = await sub.done;
      expect(r.code).toBe(3);
      expect(r.err).toContain("the job's records are gone from Redis: was it restarted without persistence?");
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.err).not.toContain('Unhandled error event');
    });
  });
});
