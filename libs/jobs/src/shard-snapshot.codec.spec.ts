import { deserialize, serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { emptyTransportStats } from './redis.transport';
import {
  decodeSnapshot,
  decodeSnapshotChain,
  encodeSnapshot,
  segmentIdOf,
  SNAPSHOT_ENCODING,
  StoredSnapshot,
} from './shard-snapshot.codec';
import { SnapshotEncodingError } from './snapshot-encoding.error';
import { plain } from './testing/snapshot-plain';

/**
 * Two encoding-4 segments of one state are the same bytes but for the
 * skeleton's: v8 writes a number as a small integer or as a double as the
 * JIT left the object holding it (under load, a full suite, the same state
 * has come out either way), so the skeletons must decode alike, and every
 * other byte (header, table, arrays, padding, id) must be equal.
 */
function expectSameEncoding(a: Buffer, b: Buffer): void {
  const skeletonOf = (x: Buffer): Buffer => x.subarray(24, 24 + x.readUInt32LE(8));
  const tailOf = (x: Buffer): Buffer => x.subarray(Math.ceil((24 + x.readUInt32LE(8)) / 8) * 8);
  const headerOf = (x: Buffer): number[] => [0, 4, 12, 16].map((at) => x.readUInt32LE(at));
  expect(headerOf(a)).toEqual(headerOf(b));
  expect(plain(deserialize(skeletonOf(a)))).toEqual(plain(deserialize(skeletonOf(b))));
  // The tail runs to the end of the buffer, the segment's length: equal tails, equal lengths past the skeleton.
  expect(tailOf(a).equals(tailOf(b))).toBe(true);
  expect(a.readUInt32LE(20)).toBe(a.length);
}

/** A snapshot shaped like the kernel's: typed arrays of every kind under objects, arrays and Maps. */
function sample(): StoredSnapshot {
  const tlb = { slots: Int32Array.from([1, -2, 3, 2 ** 31 - 1]), stamps: Int32Array.from([5, 4]), clock: 9 };
  const sim = {
    layout: 7,
    shard: 1,
    shards: 2,
    window: 12,
    counters: [1, 2, 3],
    carry: Float64Array.from([0.5, -1e300, Number.NaN]),
    series: [],
    actors: [
      [3, { tlb, seq: Uint16Array.from([65535, 1]), odd: Uint8Array.from([1, 2, 3]), owner: Int16Array.of(-7) }],
      [4, { grantNs: Float64Array.of(2.5), wide: BigInt64Array.of(-5n), u: BigUint64Array.of(7n) }],
    ],
    replicas: {
      vps: new Map<number, unknown>([[0, { tlb, mask: Uint32Array.of(2 ** 32 - 1) }]]),
      signed: [Int8Array.of(-1), 'x'],
      f: Float32Array.of(1.5),
      c: Uint8ClampedArray.of(255),
      empty: new Int32Array(0),
    },
  } as unknown as ShardSnapshot;
  return { sim, stats: { ...emptyTransportStats(), messagesSent: 4 }, atBarrier: true };
}

/**
 * The encoder of encoding 3 as first committed (a copying strip, one word a
 * turn, a fresh buffer of the bound): what the faster one must still write.
 */
function referenceEncode(s: StoredSnapshot, id: Buffer | null = null): Buffer {
  const arrays: ArrayBufferView[] = [];
  const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];
  const types: unknown[] = [...kinds, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  const strip = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return types.includes(v.constructor) ? { __tlbsimTypedArray: arrays.push(v) - 1 } : v;
    if (Array.isArray(v)) return v.map(strip);
    if (v instanceof Map) return new Map(Array.from(v, ([k, x]) => [strip(k), strip(x)]));
    return Object.fromEntries(Object.keys(v).map((k) => [k, strip((v as Record<string, unknown>)[k])]));
  };
  const skeleton = serialize(strip(s));
  const al = (n: number): number => Math.ceil(n / 8) * 8;
  const header = id ? 24 : 16;
  const tableAt = al(header + skeleton.length);
  let at = al(tableAt + 12 * arrays.length);
  const out = Buffer.alloc(
    at + 8 + arrays.reduce((n, a) => n + al(a.byteLength + 4 * Math.ceil(a.byteLength / 128)), 0),
  );
  [0x53424c54, id ? 4 : 3, skeleton.length, arrays.length].forEach((x, i) => out.writeUInt32LE(x, 4 * i));
  skeleton.copy(out, header);
  arrays.forEach((a, i) => {
    let stored = a.byteLength;
    if (stored % 4 !== 0) out.set(new Uint8Array(a.buffer, a.byteOffset, stored), at);
    else {
      const src = new Int32Array(new Uint8Array(a.buffer, a.byteOffset, stored).slice().buffer);
      const m = (src.length + 31) >>> 5;
      let w = at + 4 * m;
      for (let j = 0; j < src.length; j++) {
        if (src[j] === 0) continue;
        out.writeInt32LE(out.readInt32LE(at + 4 * (j >>> 5)) | (1 << (j & 31)), at + 4 * (j >>> 5));
        w = out.writeInt32LE(src[j], w);
      }
      stored = w - at;
    }
    [types.indexOf(a.constructor), a.byteLength, stored].forEach((x, k) =>
      out.writeUInt32LE(x, tableAt + 12 * i + 4 * k),
    );
    at += al(stored);
  });
  if (!id) return out.subarray(0, at);
  // Encoding 4: a full segment's kind (0) and length in the header, its id at the end.
  id.copy(out, at);
  out.writeUInt32LE(0, 16);
  out.writeUInt32LE(at + 8, 20);
  return out.subarray(0, at + 8);
}

/**
 * A state mixing what the kernel's arrays hold: all-zero and dense 32-word
 * blocks, one word in six set, -0 and NaN payloads in Float64 words, odd
 * lengths, a view at an offset, and the same array under two keys.
 */
function mixed(): StoredSnapshot {
  const s = sample();
  let x = 17;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) | 0);
  const slots = Int32Array.from({ length: 6 * 500 + 5 }, (_, i) => (i % 6 === 1 ? next() : 0));
  const blocks = Int32Array.from({ length: 32 * 40 + 17 }, (_, i) => ((i >>> 5) % 3 === 0 ? 0 : next() | 1));
  const floats = Float64Array.from({ length: 333 }, (_, i) => [0, -0, Number.NaN, 1e-310, next()][i % 5]);
  new Uint32Array(floats.buffer)[9] = 0x7ff00001; // a NaN's payload in a high word
  const backing = new Int32Array(1030).map(() => (next() & 7 ? 0 : next()));
  Object.assign(s.sim.replicas as Record<string, unknown>, {
    slots,
    blocks,
    floats,
    same: slots,
    view: new Int32Array(backing.buffer, 8, 1000),
    bytes: Uint8Array.from({ length: 1001 }, (_, i) => (i % 7 ? 0 : i)),
    shorts: Int16Array.from({ length: 99 }, (_, i) => (i % 3 ? 0 : -i)),
    nothing: new Float64Array(100),
  });
  return s;
}

describe('shard snapshot codec', () => {
  it('round-trips every typed array kind, Maps and plain values, with the types kept', () => {
    const s = sample();
    const back = decodeSnapshot(encodeSnapshot(s));
    expect(plain(back)).toEqual(plain(s));
    const actor = (back.sim.actors[0][1] as { seq: unknown; tlb: { slots: unknown } }).tlb.slots;
    expect(actor).toBeInstanceOf(Int32Array);
    expect((back.sim.actors[1][1] as { wide: unknown }).wide).toBeInstanceOf(BigInt64Array);
    expect((back.sim.replicas.vps as Map<number, { mask: unknown }>).get(0)!.mask).toBeInstanceOf(Uint32Array);
  });

  it('decodes from a buffer at any offset, and each array is a copy of its own', () => {
    const bytes = encodeSnapshot(sample());
    const shifted = Buffer.concat([Buffer.alloc(3), bytes]).subarray(3);
    const back = decodeSnapshot(shifted);
    expect(plain(back)).toEqual(plain(sample()));
    shifted.fill(0);
    expect(Array.from(back.sim.carry).slice(0, 2)).toEqual([0.5, -1e300]);
  });

  it('stores each array once and without its zero words: a bitmap of 1 bit per word, then the words that are not zero', () => {
    const zeros = sample();
    (zeros.sim.replicas as Record<string, unknown>).big = new Int32Array(1 << 20);
    const base = encodeSnapshot(sample()).length;
    // Plus the array's table entry and its place in the skeleton: a few dozen bytes.
    const extra = (bytes: number): number => bytes - base;
    expect(extra(encodeSnapshot(zeros).length) - (1 << 20) / 8).toBeGreaterThanOrEqual(0);
    expect(extra(encodeSnapshot(zeros).length) - (1 << 20) / 8).toBeLessThan(64);
    const dense = sample();
    const words = Int32Array.from({ length: 1 << 20 }, (_, i) => i + 1);
    (dense.sim.replicas as Record<string, unknown>).big = words;
    expect(extra(encodeSnapshot(dense).length) - (1 << 22) - (1 << 20) / 8).toBeLessThan(64);
  });

  it('keeps every bit of a word, in every position of a bitmap word (sign bit, last word, odd lengths)', () => {
    const s = sample();
    const edge = new Int32Array(97);
    for (const i of [0, 31, 32, 63, 64, 96]) edge[i] = i === 31 ? -(2 ** 31) : -1 - i;
    const odd = Uint16Array.from([0, 0, 7]); // 6 bytes: not whole words, copied as they are
    Object.assign(s.sim.replicas as Record<string, unknown>, { edge, odd, neg: Float64Array.of(-0, 0, 1e-310) });
    const back = decodeSnapshot(encodeSnapshot(s)).sim.replicas as Record<string, ArrayLike<number>>;
    expect(Array.from(back.edge)).toEqual(Array.from(edge));
    expect(Array.from(back.odd)).toEqual([0, 0, 7]);
    expect(Object.is(back.neg[0], -0)).toBe(true);
    expect(back.neg[2]).toBe(1e-310);
  });

  it('round-trips views at any offset (packed by length alone, as the decoder decides)', () => {
    const s = sample();
    const backing = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
    Object.assign(s.sim.replicas as Record<string, unknown>, {
      odd: new Uint8Array(backing.buffer, 1, 8),
      half: new Int16Array(backing.buffer, 2, 2),
    });
    expect(plain(decodeSnapshot(encodeSnapshot(s)))).toEqual(plain(s));
  });

  it('encodes the same state to the same bytes, padding zeroed whatever memory it reuses', () => {
    const first = encodeSnapshot(sample());
    // Dirty memory of the encoding's size, freed, so the next allocation may reuse it.
    for (let i = 0; i < 8; i++) Buffer.allocUnsafeSlow(first.length + 64).fill(0xab);
    expectSameEncoding(encodeSnapshot(sample()), first);
  });

  it("writes encoding 3's layout with encoding 4's header and id, and round-trips it bit for bit", () => {
    const s = mixed();
    const id = segmentIdOf(77, 0xdeadbeef);
    const bytes = encodeSnapshot(s, id);
    expectSameEncoding(bytes, referenceEncode(s, id));
    expect(decodeSnapshotChain(bytes)).toMatchObject({ endId: id, deltas: 0, fullBytes: bytes.length });
    // The caller's own memory, of exactly its length: nothing the next encoding writes reaches it.
    const kept = Buffer.from(bytes);
    encodeSnapshot(sample());
    expect(bytes.equals(kept)).toBe(true);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
    const back = decodeSnapshot(bytes);
    expect(plain(back)).toEqual(plain(s));
    const r = back.sim.replicas as Record<string, Float64Array | Int32Array>;
    expect(
      Buffer.from(r.floats.buffer).equals(Buffer.from((s.sim.replicas as { floats: Float64Array }).floats.buffer)),
    ).toBe(true);
    expect(Object.is(r.floats[1], -0)).toBe(true);
    // The skeleton the encoder shares with its input (no copy) is the one it serializes, unchanged.
    expect(plain(deserialize(bytes.subarray(24, 24 + bytes.readUInt32LE(8))).sim.replicas.same)).toEqual({
      __tlbsimTypedArray: expect.any(Number),
    });
    expect((s.sim.replicas as Record<string, unknown>).same).toBeInstanceOf(Int32Array);
  });

  it('still reads what earlier builds wrote (v8 serialization of the whole snapshot, encoding 3)', () => {
    expect(plain(decodeSnapshot(serialize(sample())))).toEqual(plain(sample()));
    const s = mixed();
    expect(plain(decodeSnapshot(referenceEncode(s)))).toEqual(plain(s));
    // No id: the writer that resumes from it starts a chain of its own with a full segment.
    expect(decodeSnapshotChain(referenceEncode(s)).endId).toBeNull();
  });

  it('refuses another encoding in one line naming both', () => {
    const bytes = encodeSnapshot(sample());
    bytes.writeUInt32LE(SNAPSHOT_ENCODING + 1, 4);
    expect(() => decodeSnapshot(bytes)).toThrow(new SnapshotEncodingError(SNAPSHOT_ENCODING + 1, SNAPSHOT_ENCODING));
    expect(() => decodeSnapshot(Buffer.from('not a snapshot'))).toThrow(
      `snapshot encoding unknown was written by another tlbsim build; this build reads encoding ${SNAPSHOT_ENCODING}: resubmit the job`,
    );
  });
});
