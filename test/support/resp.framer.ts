/**
 * Splits a RESP byte stream (what ioredis and redis-server exchange; ioredis
 * 6 speaks RESP3 after HELLO 3) into whole values, so the flaky-link proxy
 * (flaky-link.proxy.ts) can drop or hold one reply, never half of one, and
 * know which command each reply answers.
 */

/** Types whose value is the rest of the line: + - : _ # , ( */
const LINE = new Set([0x2b, 0x2d, 0x3a, 0x5f, 0x23, 0x2c, 0x28]);
/** Types with a byte length then that many bytes: $ (bulk) ! (bulk error) = (verbatim). */
const BLOB = new Set([0x24, 0x21, 0x3d]);
/** Types with a count then that many values: * (array) ~ (set) > (push). */
const LIST = new Set([0x2a, 0x7e, 0x3e]);

/** The end of `count` values from `at` (see {@link valueEnd}). */
function valuesEnd(buf: Buffer, at: number, count: number): number {
  for (let i = 0; i < count && at >= 0; i++) at = valueEnd(buf, at);
  return at;
}

/**
 * Where the value starting at `off` ends: its end offset, or, when `buf`
 * does not hold all of it yet, minus the least buffer length it needs (a
 * bulk string announces its length, so a large snapshot is not rescanned
 * for every chunk that brings part of it).
 */
export function valueEnd(buf: Buffer, off: number): number {
  if (off >= buf.length) return -(off + 1);
  const eol = buf.indexOf('\r\n', off + 1, 'latin1');
  if (eol < 0) return -(buf.length + 1);
  const type = buf[off];
  if (LINE.has(type)) return eol + 2;
  const n = Number(buf.toString('latin1', off + 1, eol));
  if (BLOB.has(type)) {
    if (n < 0) return eol + 2; // $-1: RESP2's null
    const end = eol + 2 + n + 2;
    return end <= buf.length ? end : -end;
  }
  if (LIST.has(type)) return valuesEnd(buf, eol + 2, Math.max(n, 0));
  if (type === 0x25) return valuesEnd(buf, eol + 2, 2 * n); // %: n key/value pairs
  if (type === 0x7c) return valuesEnd(buf, eol + 2, 2 * n + 1); // |: attributes, then the value they describe
  throw new Error(`not RESP: byte 0x${type.toString(16)} at ${off}`);
}

/** The first `n` bulk strings of a request array (a command's name and arguments; fewer if it has fewer) and the offset after them. */
export function requestHead(value: Buffer, n: number): { words: string[]; rest: number } {
  const words: string[] = [];
  if (value[0] !== 0x2a) return { words, rest: 0 };
  let at = value.indexOf('\r\n', 0, 'latin1') + 2;
  while (words.length < n && value[at] === 0x24) {
    const eol = value.indexOf('\r\n', at, 'latin1');
    const len = Number(value.toString('latin1', at + 1, eol));
    if (len < 0 || eol + 2 + len > value.length) break;
    words.push(value.toString('latin1', eol + 2, eol + 2 + len));
    at = eol + 2 + len + 2;
  }
  return { words, rest: at };
}

/** An incremental splitter of one direction of one connection. */
export class RespFramer {
  private chunks: Buffer[] = [];
  private length = 0;
  /** The least buffered length that can complete the next value. */
  private need = 1;

  /** Takes a chunk off the wire; returns the values it completed, in order (slices of the stream). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return [];
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const out: Buffer[] = [];
    for (;;) {
      const end = valueEnd(buf, 0);
      if (end < 0) {
        this.need = -end;
        break;
      }
      out.push(buf.subarray(0, end));
      buf = buf.subarray(end);
    }
    this.chunks = buf.length ? [buf] : [];
    this.length = buf.length;
    return out;
  }
}
