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
    const byWindow = new Map<number, number[]>();
    for (let o = 0; o < buf.length; o += MSG_WIDTH) {
      if (buf[o + F_TIME] < endNs) continue;
      const k = this.windowOf(buf[o + F_TIME]);
      assert(k > window, 'a carried message falls due in a later window');
      let list = byWindow.get(k);
      if (!list) byWindow.set(k, (list = []));
      list.push(o);
    }
    for (const [k, offsets] of byWindow) {
      const chunk = new Float64Array(offsets.length * MSG_WIDTH);
      offsets.forEach((o, i) => chunk.set(buf.subarray(o, o + MSG_WIDTH), i * MSG_WIDTH));
      let chunks = this.buckets.get(k);
      if (!chunks) this.buckets.set(k, (chunks = []));
      chunks.push(chunk);
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
