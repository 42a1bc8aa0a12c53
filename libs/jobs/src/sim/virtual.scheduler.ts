/** A timed action of the {@link VirtualScheduler}. */
interface Timed {
  at: number;
  seq: number;
  fn: () => void;
}

/** Why {@link VirtualScheduler.run} returned. */
export type SchedulerStop = 'done' | 'idle' | 'time-bound' | 'steps-bound';

/**
 * Virtual time for the protocol simulator: actions run in time order (ties
 * in the order they were scheduled), and after each one every promise
 * continuation it released runs before the next action, so async code that
 * waits only on what this scheduler resolves runs deterministically and
 * costs no wall time.
 */
export class VirtualScheduler {
  /** The virtual time, ms. */
  now = 0;
  /** Actions run so far. */
  steps = 0;
  private heap: Timed[] = [];
  private seq = 0;

  /** Runs `fn` at virtual time `at` (not before now). */
  at(at: number, fn: () => void): void {
    const t: Timed = { at: Math.max(at, this.now), seq: this.seq++, fn };
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** Runs `fn` after `ms` of virtual time. */
  after(ms: number, fn: () => void): void {
    this.at(this.now + ms, fn);
  }

  /** Resolves after `ms` of virtual time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Actions waiting. */
  get pending(): number {
    return this.heap.length;
  }

  private pop(): Timed | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  /**
   * Runs actions until `done()` holds, none is left, the virtual time passes
   * `timeMaxMs`, or `stepsMax` actions ran.
   */
  async run(done: () => boolean, timeMaxMs: number, stepsMax: number): Promise<SchedulerStop> {
    await drain();
    for (;;) {
      if (done()) return 'done';
      const t = this.pop();
      if (!t) return 'idle';
      if (t.at > timeMaxMs) return 'time-bound';
      if (this.steps >= stepsMax) return 'steps-bound';
      this.steps++;
      this.now = t.at;
      t.fn();
      await drain();
    }
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets every pending promise continuation run (the microtask queue empties before an immediate). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
