/** A Redis stream entry id `<ms>-<seq>`, both unsigned 64-bit. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Parses a complete stream id (`1712345678901-0`); null for anything else
 * (`$`, `-1`, `1-1-1`, a number past 64 bits), which Redis would refuse
 * with an error.
 */
export function parseStreamId(text: string): StreamId | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(text);
  if (!m) return null;
  const ms = BigInt(m[1]);
  const seq = BigInt(m[2]);
  return ms <= U64_MAX && seq <= U64_MAX ? { ms, seq } : null;
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  return a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
}

/** The id just before `id` (reading after it yields `id` itself); `0-0` stays. */
export function streamIdBefore(id: StreamId): string {
  if (id.seq > 0n) return `${id.ms}-${id.seq - 1n}`;
  return id.ms > 0n ? `${id.ms - 1n}-${U64_MAX}` : '0-0';
}
