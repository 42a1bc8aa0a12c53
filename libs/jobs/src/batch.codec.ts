import { F_SEQ, F_SRC, MSG_WIDTH } from '@tlbsim/sim-core';
import { BATCH_COLUMNS_TAG, decodeColumns, encodeColumns } from './batch-columns.codec';
import { BatchEncodingError } from './batch-encoding.error';

export { BATCH_COLUMNS_TAG } from './batch-columns.codec';
export { BatchEncodingError } from './batch-encoding.error';

/**
 * A window's batch as stored in an inbound member: the column encoding
 * (batch-columns.codec.ts), about a quarter of the batch's raw bytes. Its
 * first byte is the encoding's tag, so {@link decodeBatch} can tell a later
 * encoding apart. The bytes are a fresh buffer (the batch may be reused).
 */
export function encodeBatch(batch: Float64Array): Buffer {
  return encodeColumns(batch);
}

/**
 * The inverse of {@link encodeBatch}, bit for bit (-0, NaN payloads and
 * all). Encoded batches stored back to back decode as one batch, their
 * concatenation, as raw batches did (a resent copy appended to a member).
 *
 * @throws BatchEncodingError for an unknown tag or a length the headers do not account for
 */
export function decodeBatch(bytes: Buffer): Float64Array {
  const parts: Float64Array[] = [];
  for (let at = 0; at < bytes.length || parts.length === 0;) {
    const rest = bytes.subarray(at);
    if (rest[0] !== BATCH_COLUMNS_TAG) {
      const after = at > 0 ? ` after ${at} bytes of batches` : '';
      const tag = rest[0] ?? '(none)';
      throw new BatchEncodingError(
        rest,
        `unknown encoding tag ${tag}${after}; this build reads tag ${BATCH_COLUMNS_TAG}`,
      );
    }
    const part = decodeColumns(rest);
    parts.push(part.batch);
    at += part.bytes;
  }
  if (parts.length === 1) return parts[0];
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
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
