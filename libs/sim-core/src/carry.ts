import { assert } from './assert';
import { F_TIME, MSG_WIDTH } from './message';

/**
 * Messages a shard received before they fall due, filed by the window they
 * fall due in. A message can be due far ahead (a hypercall's flush behind a
 * long L0 queue), so carried messages are not copied forward window after
 * window: each is filed once and taken out in the window it is due, which
 * keeps a window's work proportional to its own traffic.
 */
export class Carry {
  private readonly buckets = new Map<number, Float64Array[]>();
  /** Scratch of {@link keep}: each message's due window (-1: due now). */
  private due = new Int32Array(1024);

  constructor(private readonly windowNs: number) {}

  /** The window a message due at `timeNs` is delivered in: the first k with timeNs < (k + 1) * windowNs. */
  windowOf(timeNs: number): number {
    const w = this.windowNs;
    let k = Math.max(0, Math.floor(timeNs / w));
    // The shard tests `timeNs >= (k + 1) * windowNs`: agree with it exactly at boundaries.
    while (timeNs >= (k + 1) * w) k++;
    while (k > 0 && timeNs < k * w) k--;
    return k;
  }

  /** Files the messages of `buf` not due before the end of window `window` (they fall due later). */
  keep(buf: Float64Array, window: number): void {
    const endNs = (window + 1) * this.windowNs;
    // Two passes without per-message allocation: a shard files thousands of
    // messages a window, nearly all due in the next one (a latency of one
    // window), which is counted apart from the rest.
    const n = buf.length / MSG_WIDTH;
    if (this.due.length < n) this.due = new Int32Array(n * 2);
    const due = this.due;
    const next = window + 1;
    let nextCount = 0;
    const counts = new Map<number, number>();
    for (let m = 0; m < n; m++) {
      const t = buf[m * MSG_WIDTH + F_TIME];
      const k = t < endNs ? -1 : this.windowOf(t);
      due[m] = k;
      if (k < 0) continue;
      assert(k > window, 'a carried message falls due in a later window');
      if (k === next) nextCount++;
      else counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    if (nextCount > 0) counts.set(next, nextCount);
    if (counts.size === 0) return;
    const chunks = new Map<number, Float64Array>();
    const fill = new Map<number, number>();
    for (const [k, count] of counts) {
      const chunk = new Float64Array(count * MSG_WIDTH);
      let list = this.buckets.get(k);
      if (!list) this.buckets.set(k, (list = []));
      list.push(chunk);
      chunks.set(k, chunk);
      fill.set(k, 0);
    }
    // Each run of consecutive messages due in the same window is one copy, in arrival order.
    for (let m = 0; m < n;) {
      const k = due[m];
      let e = m + 1;
      while (e < n && due[e] === k) e++;
      if (k >= 0) {
        const at = fill.get(k)!;
        chunks.get(k)!.set(buf.subarray(m * MSG_WIDTH, e * MSG_WIDTH), at);
        fill.set(k, at + (e - m) * MSG_WIDTH);
      }
      m = e;
    }
  }

  /** Takes out the messages due in `window` (windows run in order: nothing is filed for an earlier one). */
  take(window: number): Float64Array[] {
    const chunks = this.buckets.get(window);
    if (!chunks) return [];
    this.buckets.delete(window);
    return chunks;
  }

  /** Every carried message, by due window then arrival (snapshots store this). */
  flat(): Float64Array {
    const chunks = [...this.buckets.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, c]) => c);
    const out = new Float64Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Files a snapshot's carried messages for a shard that continues with window `window`. */
  restore(flat: Float64Array, window: number): void {
    this.buckets.clear();
    this.keep(flat, window - 1);
  }
}
