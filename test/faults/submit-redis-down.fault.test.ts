/**
 * `tlbsim submit --wait --wait-timeout S` while Redis is gone (killed with
 * SIGKILL during the wait, at different moments): it says so once, in one
 * line naming Redis, keeps waiting up to S seconds, then gives up in one
 * line with exit 3, with no stack trace, instead of waiting forever.
 */
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { exitsWithin, hotScenarioInput, sleep, until } from '../support/fault.fixture';
import { startRedis, TestRedis } from '../support/redis-server';
import { CLI_MAIN } from '../support/worker-process';

jest.setTimeout(90000);

const WAIT_TIMEOUT_S = 6;
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-submit-down-'));
let redis: TestRedis | null = null;

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

afterEach(async () => {
  await redis?.stop();
  redis = null;
});

describe('submit --wait while Redis is down', () => {
  // No worker: the job waits for workers, so only the Redis outage decides how the wait ends.
  it.each([[500], [2500]])(
    'Redis killed %i ms into the wait: one line saying so, then exit 3 at --wait-timeout',
    async (killAfterMs) => {
      redis = await startRedis();
      const file = join(dir, `job-${killAfterMs}.json`);
      writeFileSync(file, JSON.stringify(hotScenarioInput(50000)));
      const started = Date.now();
      const child = spawn(
        process.execPath,
        [
          CLI_MAIN,
          'submit',
          file,
          '--redis',
          redis.url,
          '--prefix',
          `d${killAfterMs}`,
          '--wait',
          '--wait-timeout',
          String(WAIT_TIMEOUT_S),
          '--progress',
          'none',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await until('the wait started', async () => /submitted job/.test(err), 20000);
      const waitStarted = Date.now();
      await sleep(killAfterMs);
      await redis.kill();
      const exited = await exitsWithin(child, (WAIT_TIMEOUT_S + 10) * 1000);
      if (!exited) child.kill('SIGKILL');
      expect(exited).toBe(true);
      expect(child.exitCode).toBe(3);
      const elapsedS = (Date.now() - waitStarted) / 1000;
      expect(elapsedS).toBeGreaterThanOrEqual(WAIT_TIMEOUT_S - 1);
      expect(elapsedS).toBeLessThan(WAIT_TIMEOUT_S + 8);
      const lines = err.trimEnd().split('\n');
      const down = lines.filter((l) =>
        /^tlbsim: Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\); retrying$/.test(l),
      );
      expect(down).toHaveLength(1);
      expect(lines[lines.length - 1]).toMatch(
        new RegExp(
          `^tlbsim: job \\S+: Redis at redis://127\\.0\\.0\\.1:${redis.port} still unreachable after --wait-timeout ${WAIT_TIMEOUT_S} s; gave up`,
        ),
      );
      expect(err).not.toMatch(/^\s+at |Unhandled error event|ECONNREFUSED[^)]*\n.*ECONNREFUSED/m);
      expect(Date.now() - started).toBeLessThan(60000);
    },
  );
});
