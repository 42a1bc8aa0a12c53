import {
  BAR_WITHOUT_TERMINAL_LINE,
  createPointsReporter,
  createProgressReporter,
  plainLine,
  progressFields,
} from './progress.reporter';
import type { CliIo } from './cli.context';

/** A terminal that records what a progress bar draws on it. */
function fakeTerminal(): { io: CliIo; drawn: string } {
  const term = { drawn: '', io: undefined as unknown as CliIo };
  const tty = {
    isTTY: true,
    columns: 200,
    write: (s: string) => ((term.drawn += s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  };
  term.io = { out: () => undefined, err: () => undefined, progressStream: tty as unknown as NodeJS.WritableStream };
  return term;
}

describe('progress', () => {
  it('never shows a count above its total, and rate and ETA from the accesses', () => {
    const f = progressFields({ window: 412, windowsEstimate: 400, accesses: 1200, accessesTotal: 1000 }, 2000);
    expect(f).toMatchObject({
      percent: '100.0',
      done: '1,000',
      all: '1,000',
      window: 412,
      windows: 412,
      eta: '0s',
      rate: '500',
    });
    const half = progressFields(
      { window: 100, windowsEstimate: 400, accesses: 500_000, accessesTotal: 1_000_000 },
      1000,
    );
    expect(plainLine('overhaul', half)).toBe(
      'tlbsim: overhaul 50.0% | 500,000/1,000,000 accesses | 500.0k acc/s | ETA 1s | window 100/400\n',
    );
  });

  it('plain: one line per second at most, and the last sample at stop', () => {
    let err = '';
    let nowMs = 0;
    const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
    const p = createProgressReporter(io, 'x', 'plain', () => nowMs);
    for (let i = 1; i <= 30; i++) {
      nowMs = i * 100;
      p.update({ window: i, windowsEstimate: 30, accesses: i * 10, accessesTotal: 300 });
    }
    p.stop();
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(4); // at 0.1 s, 1.1 s, 2.1 s, then the last (3.0 s) at stop
    expect(lines[3]).toContain('100.0% | 300/300 accesses');
  });

  it('bar: the ETA it draws is the formatted one, with its unit (not the bare seconds of cli-progress)', () => {
    const term = fakeTerminal();
    let nowMs = 0;
    const p = createProgressReporter(term.io, 'x', 'bar', () => nowMs);
    p.update({ window: 1, windowsEstimate: 400, accesses: 1, accessesTotal: 1_000_000 });
    nowMs = 100_000;
    p.update({ window: 100, windowsEstimate: 400, accesses: 250_000, accessesTotal: 1_000_000 });
    p.stop();
    // 250,000 accesses in 100 s: 750,000 more take 300 s.
    expect(term.drawn).toContain('| ETA 5m00s | window 100/400');
    term.drawn = '';
    const points = createPointsReporter(term.io, 'sweep', 'bar', () => nowMs);
    points.update({ done: 10, points: 100, pointsMax: 100, perSec: 0.5, best: '' });
    points.stop();
    expect(term.drawn).toContain('| 0.5 points/s | ETA 3m00s');
  });

  it('bar: the fill follows the total as the estimate moves (a full bar only at 100%)', () => {
    const term = fakeTerminal();
    const p = createProgressReporter(term.io, 'x', 'bar', () => 0);
    // The first estimate is the accessesPerVcpu bound; the run then says it makes 10x fewer.
    p.update({ window: 1, windowsEstimate: 100, accesses: 1_000, accessesTotal: 1_000_000 });
    term.drawn = '';
    p.update({ window: 30, windowsEstimate: 100, accesses: 30_000, accessesTotal: 100_000 });
    p.stop();
    const m = /\[([^\]]*)\] 30\.0%/.exec(term.drawn);
    expect(m).not.toBeNull();
    const filled = m![1].split('').filter((c) => c === '=').length;
    expect(filled / m![1].length).toBeCloseTo(0.3, 1);
  });

  it('bar without a terminal: plain lines, saying so once', () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
    const p = createProgressReporter(io, 'x', 'bar', () => 0);
    p.update({ window: 1, windowsEstimate: 2, accesses: 1, accessesTotal: 2 });
    p.stop();
    expect(err).toBe(`${BAR_WITHOUT_TERMINAL_LINE}tlbsim: x 50.0% | 1/2 accesses | 0 acc/s | ETA ? | window 1/2\n`);
    err = '';
    const points = createPointsReporter(io, 'sweep', 'bar', () => 0);
    points.update({ done: 1, points: 4, pointsMax: 4, perSec: 1, best: '' });
    points.stop();
    expect(err).toBe(`${BAR_WITHOUT_TERMINAL_LINE}tlbsim: sweep 25.0% | 1/4 points | 1.0 points/s | ETA 3s\n`);
  });

  it('auto without a terminal and none: nothing', () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
    for (const mode of ['auto', 'none'] as const) {
      const p = createProgressReporter(io, 'x', mode);
      p.update({ window: 1, windowsEstimate: 2, accesses: 1, accessesTotal: 2 });
      p.stop();
    }
    expect(err).toBe('');
  });
});
