/**
 * A bad value in the environment is one line naming the variable and its
 * limit, and exit 2, before the command starts anything (the built CLI, as a
 * user runs it; docs/environment.md).
 */
import { spawn } from 'child_process';
import { CLI_MAIN } from './support/worker-process';

function runWithEnv(args: string[], env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => resolve({ code, err }));
  });
}

describe('the environment of each process', () => {
  it.each([
    [
      ['serve', '--port', '0'],
      { TLBSIM_MAX_BODY_BYTES: 'abc' },
      /^tlbsim: TLBSIM_MAX_BODY_BYTES: expected an integer 1024\.\.67108864, got "abc"\n$/,
    ],
    [
      ['serve', '--port', '0'],
      { TLBSIM_LOG_FORMAT: 'xml' },
      /^tlbsim: TLBSIM_LOG_FORMAT: expected one of auto, pretty, json, got "xml"\n$/,
    ],
    [
      ['worker', '--redis', 'redis://127.0.0.1:1'],
      { TLBSIM_WORKER_CONCURRENCY: '0' },
      /^tlbsim: TLBSIM_WORKER_CONCURRENCY: expected an integer 1\.\.1024, got "0"\n$/,
    ],
    [
      ['run', 'scenarios/hyperv-svm-root-reuse.yaml'],
      { TLBSIM_RETENTION_SEC: '-1' },
      /^tlbsim: TLBSIM_RETENTION_SEC: expected an integer 1\.\./,
    ],
  ])('tlbsim %j with %j: exit 2, one line', async (args, env, line) => {
    const { code, err } = await runWithEnv(args, env);
    expect(err).toMatch(line);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
  });
});
