/**
 * How much of a shard's state an incremental snapshot could leave out: the
 * words of its typed arrays (TLBs, partition caches, VM views, MMU maps,
 * allocator tables: nearly all of a snapshot) that changed between two
 * snapshots some windows apart, matched array by array by their place in
 * the snapshot. A delta holds at least those words, so one minus their
 * share is the most an incremental snapshot can save over a full one.
 */
import type { ShardSnapshot } from '@tlbsim/sim-core';

/** A snapshot's typed arrays by their path in it (`replicas.vps/3/1.tlb.slots`), copied. */
export type ArraysByPath = Map<string, Uint8Array>;

/** The bytes of every typed array of `snap`, copied, by path (Maps by key, so a vCPU that moved still matches). */
export function arraysByPath(snap: ShardSnapshot): ArraysByPath {
  const out: ArraysByPath = new Map();
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      out.set(path, new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) walk(x, `${path}/${String(k)}`);
      return;
    }
    // Arrays of [id, state] pairs (the actors) go by index: they are sorted by id, and a moved vCPU changes its state.
    for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(snap, '');
  return out;
}

/** Words of `after` and how many of them differ from `before` (an array new or resized: all of it). */
export interface Churn {
  words: number;
  changedWords: number;
}

/** The 32-bit words of `after`'s arrays that differ from `before`'s at the same path (a trailing partial word counts as one). */
export function churnOf(before: ArraysByPath, after: ArraysByPath): Churn {
  let words = 0;
  let changedWords = 0;
  for (const [path, b] of after) {
    const n = Math.ceil(b.length / 4);
    words += n;
    const a = before.get(path);
    if (!a || a.length !== b.length) {
      changedWords += n;
      continue;
    }
    changedWords += changedWordsOf(a, b);
  }
  return { words, changedWords };
}

/** Words of two equal-length byte arrays that differ (copies: offset 0, so whole words view in place). */
function changedWordsOf(a: Uint8Array, b: Uint8Array): number {
  let changed = 0;
  const whole = b.length >> 2;
  const wa = new Int32Array(a.buffer, 0, whole);
  const wb = new Int32Array(b.buffer, 0, whole);
  for (let w = 0; w < whole; w++) if (wa[w] !== wb[w]) changed++;
  for (let i = 4 * whole; i < b.length; i++)
    if (a[i] !== b[i]) {
      changed++;
      break;
    }
  return changed;
}
