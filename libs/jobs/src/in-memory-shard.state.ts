import type { InboundEntry } from './batch.codec';
import { decodeBatch } from './batch.codec';
import type { BarrierNeed } from './shard.store';

/** One member of an inbound sorted set: score `window`, member `<window>:<sender>:<batch>`. */
export interface MemInboundEntry {
  window: number;
  sender: number;
  data: Buffer;
}

/** An appended event, with what the simulator checks about it. */
export interface MemEvent {
  json: string;
  /** The shard of a progress event. */
  shard?: number;
  /** True if the run that appended it no longer held the shard's fencing token (a fenced run). */
  stale: boolean;
}

/**
 * A job's keys as the in-memory store holds them, named as in Redis
 * (`job.keys.ts`): the barrier hash keeps Redis's field names (`tok:<s>`,
 * `pub:<s>`, `c:<w>`, `n:<w>`, `top`, `resize`, `stopAt`, `rsn`, `rs:<s>`,
 * `t0:<s>`, `re:<s>`) so the code reads like the Lua scripts it mirrors.
 */
export interface MemJobState {
  /** The result record (the tombstone); null while the job runs. */
  result: Map<string, string> | null;
  /** The metadata fields the protocol reads and writes (`shards`, `epoch`, `resizeTo`, `requeue`). */
  meta: Map<string, string>;
  barrier: Map<string, string>;
  /** The barrier stream: one entry per passed window (id `<w>-1`) with its all-done flag. */
  bar: { window: number; all: string }[];
  inbound: Map<number, MemInboundEntry[]>;
  snap: Map<number, Buffer>;
  /** The snapshot each one replaced (only the `older-snapshot` mutation reads it). */
  prevSnap: Map<number, Buffer>;
  parts: Map<number, string>;
  ckpt: Map<string, string>;
  events: MemEvent[];
  /**
   * BullMQ's keys of the job's shard jobs, by job id: they live in the same
   * Redis, so a restart loses their writes with the others (the simulator's
   * queue model keeps its state here; opaque to the store).
   */
  queue: Map<string, Record<string, unknown>>;
}

/** Barrier stream entries kept (Redis: `XADD ... MAXLEN ~ 128`). @defaultValue 128 */
export const BARRIER_STREAM_MAX = 128;

/** A fresh job's state with `shards` shards at epoch 0. */
export function newMemJob(shards: number): MemJobState {
  return {
    result: null,
    meta: new Map([
      ['shards', String(shards)],
      ['epoch', '0'],
    ]),
    barrier: new Map(),
    bar: [],
    inbound: new Map(),
    snap: new Map(),
    prevSnap: new Map(),
    parts: new Map(),
    ckpt: new Map(),
    events: [],
    queue: new Map(),
  };
}

/** A deep copy (buffers are never mutated in place, so they are shared). */
export function cloneMemJob(j: MemJobState): MemJobState {
  return {
    result: j.result && new Map(j.result),
    meta: new Map(j.meta),
    barrier: new Map(j.barrier),
    bar: j.bar.map((e) => ({ ...e })),
    inbound: new Map([...j.inbound].map(([s, es]) => [s, es.map((e) => ({ ...e }))])),
    snap: new Map(j.snap),
    prevSnap: new Map(j.prevSnap),
    parts: new Map(j.parts),
    ckpt: new Map(j.ckpt),
    events: j.events.map((e) => ({ ...e })),
    queue: new Map([...j.queue].map(([id, q]) => [id, { ...q }])),
  };
}

/** HINCRBY on a hash map; returns the new value. */
export function hincr(h: Map<string, string>, field: string, by = 1): number {
  const v = Number(h.get(field) ?? '0') + by;
  h.set(field, String(v));
  return v;
}

/** A number field of a hash, or `dflt` when absent. */
export function hnum(h: Map<string, string>, field: string, dflt: number): number {
  const v = h.get(field);
  return v === undefined ? dflt : Number(v);
}

/**
 * ZADD of a batch to an inbound sorted set: kept in window order (senders
 * running free arrive out of it); the same member again (sender, window and
 * bytes) changes nothing, as in Redis.
 */
export function zaddInbound(j: MemJobState, dst: number, window: number, sender: number, data: Buffer): void {
  const set = j.inbound.get(dst) ?? [];
  if (set.some((e) => e.window === window && e.sender === sender && e.data.equals(data))) return;
  let i = set.length;
  while (i > 0 && set[i - 1].window > window) i--;
  set.splice(i, 0, { window, sender, data });
  j.inbound.set(dst, set);
}

/** XRANGE of one window of an inbound stream, as parsed entries. */
export function inboundWindow(j: MemJobState, shard: number, window: number): InboundEntry[] {
  return (j.inbound.get(shard) ?? [])
    .filter((e) => e.window === window)
    .map((e) => ({ sender: e.sender, batch: decodeBatch(e.data) }));
}

/** XADD `<window>-1` on the barrier stream (trimmed); throws as Redis does for an id not above the top. */
export function xaddBarrier(j: MemJobState, window: number, all: string): void {
  const top = j.bar[j.bar.length - 1];
  if (top && top.window >= window)
    throw new Error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  j.bar.push({ window, all });
  if (j.bar.length > BARRIER_STREAM_MAX) j.bar.shift();
}

/** The furthest window any of the job's `shards` shards published (-1: none). */
export function furthestPublished(j: MemJobState, shards: number): number {
  let far = -1;
  for (let s = 0; s < shards; s++) far = Math.max(far, hnum(j.barrier, `pub:${s}`, -1));
  return far;
}

/** Whether the shards of `need` published window `w`: every shard (`top`), or the in-neighbours. */
export function passedFor(j: MemJobState, w: number, need: BarrierNeed): boolean {
  if (need.all) return hnum(j.barrier, 'top', -1) >= w;
  return need.from.every((s) => hnum(j.barrier, `pub:${s}`, -1) >= w);
}
