/**
 * Progress everywhere: `run` draws a bar that moves many times during a run
 * (the kernel yields to the event loop by wall time), `--progress plain`
 * prints periodic lines with percent, rate and ETA when standard error is
 * not a terminal, and counts never exceed their totals. How many plain
 * lines a run prints depends on the machine's speed (one a second at
 * most): their period is tested with a clock of its own in
 * progress.reporter.spec.ts, and here only bounded by the run's wall time.
 */
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { PassThrough } from 'stream';
import { runInProcess } from '@tlbsim/engine';
import type { CliIo } from '../services/cli/src/cli.context';
import { runCommand } from '../services/cli/src/commands/run.command';
import { runCli } from '../services/cli/src/program';
import { PLAIN_PROGRESS_EVERY_MS } from '../services/cli/src/progress.reporter';
import { ROOT } from './support/scenario.fixture';
import { CLI_MAIN } from './support/worker-process';

jest.setTimeout(120000);

const SCENARIO = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
const LINE =
  /^tlbsim: overhaul (\d+\.\d)% \| ([\d,]+)\/([\d,]+) accesses \| [\d.]+[kM]? acc\/s \| ETA \S+ \| window (\d+)\/(\d+)$/;
const num = (s: string): number => Number(s.replace(/,/g, ''));

describe('progress', () => {
  it('--progress plain: a first and a last line, at most one a second, percent rising to 100, counts within their totals', () => {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
    const startedMs = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        CLI_MAIN,
        'run',
        SCENARIO,
        '--progress',
        'plain',
        '--json',
        '--set',
        'workload.accessesPerVcpu=1500000',
        '--set',
        'run.simulatedMs=0',
      ],
      { encoding: 'utf8', timeout: 100000 },
    );
    const wallMs = Date.now() - startedMs;
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(2 + Math.floor(wallMs / PLAIN_PROGRESS_EVERY_MS));
    const samples = lines.map((l) => {
      const m = LINE.exec(l);
      if (!m) throw new Error(`not a progress line: ${l}`);
      return m;
    });
    for (const m of samples) {
      expect(num(m[2])).toBeLessThanOrEqual(num(m[3]));
      expect(Number(m[4])).toBeLessThanOrEqual(Number(m[5]));
    }
    const percents = samples.map((m) => Number(m[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents[percents.length - 1]).toBe(100);
    expect(JSON.parse(r.stdout).digest).toMatch(/^[0-9a-f]+$/);
  });

  it('on a terminal the bar is redrawn many times during one run, never above 100%', async () => {
    const tty = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 160,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    tty.on('data', (d: Buffer) => (drawn += d.toString()));
    const io: CliIo = { out: () => undefined, err: () => undefined, progressStream: tty };
    const code = await runCli(
      [
        'node',
        'tlbsim',
        'run',
        SCENARIO,
        '--json',
        '--set',
        'workload.accessesPerVcpu=1500000',
        '--set',
        'run.simulatedMs=0',
      ],
      [runCommand],
      io,
      runInProcess,
    );
    expect(code).toBe(0);
    const percents = [...drawn.matchAll(/\] ([\d.]+)% \|/g)].map((m) => Number(m[1]));
    expect(new Set(percents).size).toBeGreaterThanOrEqual(10);
    expect(Math.max(...percents)).toBeLessThanOrEqual(100);
    expect(drawn).toMatch(/acc\/s \| ETA \S+ \| window \d+\/\d+/);
  });
});
