import { F_SEQ, F_SRC, MSG_WIDTH } from '@tlbsim/sim-core';

/** A window's batch as stored on a stream: the Float64Array's bytes, little-endian as on every host we run. */
export function encodeBatch(batch: Float64Array): Buffer {
  return Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
}

/** The inverse of {@link encodeBatch}; copies, since a Buffer need not be 8-byte aligned. */
export function decodeBatch(bytes: Buffer): Float64Array {
  if (bytes.byteLength % (8 * MSG_WIDTH) !== 0)
    throw new Error(`batch of ${bytes.byteLength} bytes is not whole messages`);
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** One stream entry: a batch sent by `sender` in some window. */
export interface InboundEntry {
  sender: number;
  batch: Float64Array;
}

/** What {@link dedupeInbound} kept and dropped. */
export interface DedupeResult {
  batches: Float64Array[];
  messages: number;
  duplicates: number;
}

/**
 * Drops messages delivered more than once. A message's id is (src actor,
 * seq); the kernel sends each id exactly once, so within one window's
 * delivery a repeated id is a resent copy (a sender that re-ran the window
 * after a crash). Copies can only appear in the same window, since re-runs
 * are deterministic, so per-window dedupe is enough.
 */
export function dedupeInbound(entries: InboundEntry[]): DedupeResult {
  // Fast path: an actor lives on one shard and a batch never repeats an id,
  // so one entry per sender shard cannot hold a duplicate.
  const senders = new Set(entries.map((e) => e.sender));
  if (senders.size === entries.length) {
    const batches = entries.map((e) => e.batch).filter((b) => b.length > 0);
    return { batches, messages: batches.reduce((a, b) => a + b.length / MSG_WIDTH, 0), duplicates: 0 };
  }
  const seen = new Map<number, Set<number>>();
  const batches: Float64Array[] = [];
  let messages = 0;
  let duplicates = 0;
  for (const { batch } of entries) {
    let keep: number[] | null = null;
    for (let o = 0, i = 0; o < batch.length; o += MSG_WIDTH, i++) {
      const src = batch[o + F_SRC];
      let ids = seen.get(src);
      if (!ids) seen.set(src, (ids = new Set()));
      const seq = batch[o + F_SEQ];
      if (ids.has(seq)) {
        keep ??= Array.from({ length: i }, (_, j) => j);
        duplicates++;
        continue;
      }
      ids.add(seq);
      keep?.push(i);
      messages++;
    }
    batches.push(keep ? pick(batch, keep) : batch);
  }
  return { batches: batches.filter((b) => b.length > 0), messages, duplicates };
}

function pick(batch: Float64Array, records: number[]): Float64Array {
  const out = new Float64Array(records.length * MSG_WIDTH);
  records.forEach((r, j) => out.set(batch.subarray(r * MSG_WIDTH, (r + 1) * MSG_WIDTH), j * MSG_WIDTH));
  return out;
}
