import type { CliIo } from '../cli.context';
import { runCli } from '../program';
import { workerCommand } from './worker.command';

/** Runs `tlbsim worker ...args` in process (bad flags are refused before Redis is contacted). */
async function worker(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
  const code = await runCli(
    ['node', 'tlbsim', 'worker', '--redis', 'redis://127.0.0.1:1', ...args],
    [workerCommand],
    io,
    async () => {
      throw new Error('not used');
    },
  );
  return { code, err };
}

describe('tlbsim worker flags', () => {
  it.each([
    [['--concurrency', '1000000'], 'tlbsim: --concurrency: expected an integer 1..1024, got 1000000\n'],
    [['--concurrency', '0'], 'tlbsim: --concurrency: expected an integer 1..1024, got 0\n'],
    // Beyond Node's 2^31-1 ms timers: was accepted, then a TimeoutOverflowWarning and a crash.
    [['--lock-duration-ms', '1e15'], 'tlbsim: --lock-duration-ms: expected an integer 100..86400000, got 1e15\n'],
    [
      ['--stalled-interval-ms', '99999999999'],
      'tlbsim: --stalled-interval-ms: expected an integer 100..86400000, got 99999999999\n',
    ],
    [
      ['--retention-sec', '99999999999'],
      'tlbsim: --retention-sec: expected an integer 1..315360000, got 99999999999\n',
    ],
  ])('%j: exit 2, one line naming the flag and its limits', async (args, line) => {
    const r = await worker(...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(line);
  });
});
