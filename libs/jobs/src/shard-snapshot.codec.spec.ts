import { serialize } from 'v8';
import type { ShardSnapshot } from '@tlbsim/sim-core';
import { emptyTransportStats } from './redis.transport';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_ENCODING, StoredSnapshot } from './shard-snapshot.codec';
import { SnapshotEncodingError } from './snapshot-encoding.error';
import { plain } from './testing/snapshot-plain';

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
    expect(Buffer.compare(encodeSnapshot(sample()), first)).toBe(0);
  });

  it('still reads what earlier builds wrote (v8 serialization of the whole snapshot)', () => {
    expect(plain(decodeSnapshot(serialize(sample())))).toEqual(plain(sample()));
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
