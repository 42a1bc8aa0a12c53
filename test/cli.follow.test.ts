/**
 * A job's whole life from the terminal (issue 25): `submit` without
 * `--wait` says when no worker is live, `jobs` / `status` / `wait` follow
 * it, Ctrl-C says what it did (`run` stops, `submit --wait` leaves the job
 * running, a second Ctrl-C cancels it), `workers` has a header row, an
 * unfinished job's export says how to replay it, and `replay` ends with its
 * verdict or refuses a scenario file in one line. The built CLI, a real
 * redis-server and a worker process.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { JobPage, JobView } from '@tlbsim/contracts';
import type { RunReport } from '@tlbsim/engine';
import { createJobsService, JobsService } from '@tlbsim/jobs';
import { startBuiltCli } from './support/cli-process';
import { until } from './support/fault.fixture';
import { startRedis, TestRedis } from './support/redis-server';
import { ROOT } from './support/scenario.fixture';
import { CLI_MAIN, startWorker, WorkerProcess } from './support/worker-process';

jest.setTimeout(120000);

const SCENARIO = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
/** The shipped bug run 100x longer: it runs for many seconds, long enough to interrupt. */
const LONG = ['--set', 'run.simulatedMs=300'];
const PREFIX = 'follow';
let redis: TestRedis;
let jobs: JobsService;
let worker: WorkerProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-follow-'));

function tlbsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function onRedis(...args: string[]): string[] {
  return [...args, '--redis', redis.url, '--prefix', PREFIX];
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
  redis = await startRedis();
  jobs = createJobsService({ redisUrl: redis.url, prefix: PREFIX });
});

afterAll(async () => {
  await worker?.stop();
  await jobs?.close();
  await redis?.stop();
});

describe('following a job from the terminal', () => {
  let first: string;
  let exported: string;

  it('submit without --wait and no live worker: the id on stdout, and on stderr that no worker is live and the slots needed', () => {
    const r = tlbsim(...onRedis('submit', SCENARIO, '--shards', '2'));
    expect(r.status).toBe(0);
    first = r.stdout.trim();
    expect(first).toMatch(/^\S+$/);
    expect(r.stderr).toBe(
      `tlbsim: no worker is live (start one: tlbsim worker --redis <url>)\n` +
        `tlbsim: job ${first} waiting for workers: needs 2 slots, 0 live\n`,
    );
  });

  it('jobs lists it under a header row (and filters by state), status shows it not run, wait --timeout leaves it queued', () => {
    const table = tlbsim(...onRedis('jobs'));
    expect(table.status).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +NAME +STATE +SHARDS +PROGRESS +VIOLATIONS +AGE$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${first} +hyperv-svm-root-reuse +waiting-for-workers +2 +- +not run +\\d+s$`),
    );
    expect(lines[2]).toBe('1 job');
    const page = JSON.parse(tlbsim(...onRedis('jobs', '--json')).stdout) as JobPage;
    expect(page.items.map((v) => v.id)).toEqual([first]);
    expect(tlbsim(...onRedis('jobs', '--state', 'completed')).stdout).toMatch(/^ID .*\n0 jobs\n$/);
    const bad = tlbsim(...onRedis('jobs', '--state', 'done'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^tlbsim: option '--state <state>' argument 'done' is invalid\..*\n$/);

    const status = tlbsim(...onRedis('status', first));
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^ {2}state +waiting-for-workers$/m);
    expect(status.stdout).toMatch(/^ {2}overrides +run\.shards=2$/m);
    expect(status.stdout).toMatch(/^ {2}violations +not run$/m);
    expect(status.stdout).toMatch(/^ {2}slots +needs 2, 0 live, 0 free$/m);
    expect((JSON.parse(tlbsim(...onRedis('status', first, '--json')).stdout) as JobView).id).toBe(first);
    const unknown = tlbsim(...onRedis('status', 'nope'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('tlbsim: unknown job nope (tlbsim jobs lists them)\n');

    const waited = tlbsim(...onRedis('wait', first, '--timeout', '1', '--progress', 'none'));
    expect(waited.status).toBe(3);
    expect(waited.stderr).toBe(
      `tlbsim: job ${first} still waiting-for-workers after 1 s (needs 2 slots, 0 live); it goes on\n`,
    );
  });

  it('workers has a header row; wait prints the report once a worker ran the job', async () => {
    worker = startWorker(redis.url, ['--prefix', PREFIX, '--concurrency', '2']);
    await until('the worker', async () => (await jobs.workers()).length === 1);
    const listed = tlbsim(...onRedis('workers'));
    expect(listed.stdout).toMatch(
      /^WORKER +HOST +PID +SLOTS +SHARDS\n\S+ +\S+ +\d+ +\d\/2 busy +.+\n1 live worker, 2 slots, \d free\n$/,
    );
    const waited = tlbsim(...onRedis('wait', first, '--json', '--progress', 'none'));
    expect(waited.status).toBe(0);
    const report = JSON.parse(waited.stdout) as RunReport;
    expect(report.digest).toBe((await jobs.get(first))!.digest);
    // The run summary: the job's time on the workers and its scenario.
    expect(report.summary!.hostSeconds).toBeGreaterThan(0);
    expect(report.summary!.config?.name).toBe('hyperv-svm-root-reuse');
    expect(report.summary!.config).toEqual(await jobs.scenario(first));
    expect(tlbsim(...onRedis('jobs', '--state', 'completed')).stdout).toContain(`${first} `);
    const exp = tlbsim(...onRedis('export', first));
    expect(exp.status).toBe(0);
    expect(exp.stderr).toBe('');
    exported = join(dir, 'first.ndjson');
    writeFileSync(exported, exp.stdout);
  });

  it('replay ends with its verdict, and refuses a scenario file in one line', () => {
    const rep = tlbsim('replay', exported);
    expect(rep.status).toBe(0);
    expect(rep.stdout).toContain('\nRun summary\n');
    const digest = (JSON.parse(tlbsim('replay', exported, '--json').stdout) as { digest: string }).digest;
    expect(rep.stdout.endsWith(`\ndigest matches the export (${digest})\n`)).toBe(true);
    const yaml = tlbsim('replay', SCENARIO);
    expect(yaml.status).toBe(2);
    expect(yaml.stderr).toBe(
      `tlbsim: ${SCENARIO}: not a job export: replay takes the ndjson that \`tlbsim export <job>\` prints (a scenario file runs with \`tlbsim run ${SCENARIO}\`)\n`,
    );
  });

  it('Ctrl-C in submit --wait: one line, exit 130, and the job goes on', async () => {
    const cli = startBuiltCli(onRedis('submit', SCENARIO, ...LONG, '--wait', '--progress', 'plain'));
    const id = (await cli.untilErr(/submitted job (\S+)/))[1];
    await cli.untilErr(/ window \d+\//);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.err()).toContain(
      `tlbsim: interrupted: job ${id} goes on on the workers (tlbsim wait ${id} follows it, tlbsim cancel ${id} cancels it; Ctrl-C again within 2 s cancels it now)\n`,
    );
    expect(cli.err().split('interrupted:')[1]).not.toMatch(/ window \d+\//); // no progress after it
    expect(cli.out()).toBe('');
    expect((await jobs.get(id))!.state).toBe('running');
    expect(tlbsim(...onRedis('cancel', id)).stdout).toBe(`${id} cancelled\n`);
  });

  it('a second Ctrl-C cancels the job; its export says how to replay it', async () => {
    const cli = startBuiltCli(onRedis('submit', SCENARIO, ...LONG, '--wait', '--progress', 'plain'));
    const id = (await cli.untilErr(/submitted job (\S+)/))[1];
    await cli.untilErr(/ window \d+\//);
    cli.child.kill('SIGINT');
    await cli.untilErr(/interrupted: job/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.err()).toMatch(new RegExp(`cancels it now\\)\\ntlbsim: job ${id} cancelled\\n$`));
    const view = (await jobs.get(id))!;
    expect(view.state).toBe('cancelled');
    const exp = tlbsim(...onRedis('export', id));
    expect(exp.status).toBe(0);
    expect(exp.stderr).toBe(
      view.partialWindows === null
        ? `tlbsim: job ${id} did not complete (cancelled) and kept no partial report: this export has no digest to replay\n`
        : `tlbsim: job ${id} did not complete (cancelled): \`tlbsim replay\` of this export needs --until-window ${view.partialWindows} (its partial report's windows)\n`,
    );
  });

  it('Ctrl-C in run: the run stops at its window, one line, exit 130, no report', async () => {
    const cli = startBuiltCli(['run', SCENARIO, ...LONG, '--progress', 'plain']);
    await cli.untilErr(/ window \d+\//);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.err()).toMatch(/\ntlbsim: interrupted at window \d+ \([\d.]+ ms simulated\); no report printed\n$/);
    expect(cli.out()).toBe('');
  });
});
