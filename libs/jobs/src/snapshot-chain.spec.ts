import type { ShardSnapshot } from '@tlbsim/sim-core';
import { emptyTransportStats } from './redis.transport';
import { decodeSnapshotChain, SEGMENT_ID_BYTES, StoredSnapshot } from './shard-snapshot.codec';
import { sendSegment, SNAPSHOT_CHAIN_DELTAS_MAX, SnapshotChain, tagOfToken } from './snapshot-chain';
import type { SnapshotReply } from './shard.store';
import { SnapshotChainError } from './snapshot-chain.error';
import { plain } from './testing/snapshot-plain';

/** A kernel-shaped state: a big TLB-like array, a Float64 carry, an odd-length byte array, and a window. */
function state(words = 4096): StoredSnapshot {
  const slots = new Int32Array(words);
  // Dense, as a full TLB is: a delta's bitmap (a bit per word) is then small beside a full segment.
  for (let i = 0; i < words; i++) slots[i] = (i * 2654435761) | 1;
  const sim = {
    window: 1,
    carry: Float64Array.from([0.5, -0, Number.NaN]),
    actors: [[1, { tlb: { slots }, odd: Uint8Array.from([1, 2, 3]) }]],
    replicas: { views: new Map([[3, { map: Int16Array.from([1, -1]) }]]) },
  } as unknown as ShardSnapshot;
  return { sim, stats: emptyTransportStats() };
}

const slotsOf = (s: StoredSnapshot): Int32Array => (s.sim.actors[0][1] as { tlb: { slots: Int32Array } }).tlb.slots;

/** `s` a window later, with `changes` words of its slots changed (deterministically). */
function step(s: StoredSnapshot, changes: number): void {
  s.sim.window++;
  const slots = slotsOf(s);
  for (let k = 0; k < changes; k++) slots[(s.sim.window * 7919 + k * 104729) % slots.length] ^= k + 1;
  (s.sim.actors[0][1] as { odd: Uint8Array }).odd[0] = s.sim.window;
}

/** What a store does with a segment: a full one replaces the chain, a delta is appended if its base ends it. */
function store(chain: Buffer | null, seg: { bytes: Buffer; base: Buffer | null }): Buffer {
  if (!seg.base) return seg.bytes;
  expect(chain!.subarray(chain!.length - SEGMENT_ID_BYTES).equals(seg.base)).toBe(true);
  return Buffer.concat([chain!, seg.bytes]);
}

describe('incremental snapshots (SnapshotChain)', () => {
  it('a full segment, then deltas of the words changed, that decode to the last state bit for bit', () => {
    const s = state();
    const chain = new SnapshotChain(tagOfToken('7'));
    let stored = store(null, chain.next(s));
    const fullBytes = stored.length;
    for (let i = 1; i <= 5; i++) {
      step(s, 40);
      const seg = chain.next(s);
      expect(seg.base).not.toBeNull();
      // 40 changed words of 4096: the delta is their XOR and a bitmap, a fraction of the full segment.
      expect(seg.bytes.length).toBeLessThan(fullBytes / 4);
      stored = store(stored, seg);
      const back = decodeSnapshotChain(stored);
      expect(back).toMatchObject({ deltas: i, fullBytes, chainBytes: stored.length });
      expect(plain(back.stored)).toEqual(plain(s));
      expect(Object.is((back.stored.sim.carry as Float64Array)[1], -0)).toBe(true);
    }
  });

  it('writes a full segment again after the deltas limit, when the deltas weigh a full one, and on rebase', () => {
    const s = state();
    const chain = new SnapshotChain(1);
    const kinds: string[] = [];
    const next = (changes: number): void => {
      step(s, changes);
      kinds.push(chain.next(s).base ? 'delta' : 'full');
    };
    for (let i = 0; i <= SNAPSHOT_CHAIN_DELTAS_MAX + 1; i++) next(1);
    expect(kinds[0]).toBe('full');
    expect(kinds.slice(1, SNAPSHOT_CHAIN_DELTAS_MAX + 1).every((k) => k === 'delta')).toBe(true);
    expect(kinds[SNAPSHOT_CHAIN_DELTAS_MAX + 1]).toBe('full');
    kinds.length = 0;
    chain.rebase();
    next(1);
    next(1);
    // Every word changed: one delta the size of a full segment, then a full one.
    next(0);
    slotsOf(s).forEach((_, i, a) => (a[i] = ~a[i]));
    next(0);
    next(1);
    expect(kinds).toEqual(['full', 'delta', 'delta', 'delta', 'full']);
  });

  it('stores an array that changed length whole in a delta (the carry does, every snapshot), and a full segment when the arrays are not as many', () => {
    const s = state();
    const chain = new SnapshotChain(1);
    let stored = store(null, chain.next(s));
    step(s, 3);
    s.sim.carry = Float64Array.from([1, 2, 3, 4, 5, -0]);
    const seg = chain.next(s);
    expect(seg.base).not.toBeNull();
    stored = store(stored, seg);
    expect(plain(decodeSnapshotChain(stored).stored)).toEqual(plain(s));
    step(s, 3);
    stored = store(stored, chain.next(s));
    expect(plain(decodeSnapshotChain(stored).stored)).toEqual(plain(s));
    (s.sim.replicas as unknown as { extra: Int32Array }).extra = new Int32Array(8);
    expect(chain.next(s).base).toBeNull();
  });

  it('refuses a delta on a chain whose arrays it does not fit, in one line', () => {
    const a = new SnapshotChain(1);
    const s = state();
    const full = a.next(s).bytes;
    step(s, 3);
    const delta = a.next(s).bytes;
    const other = new SnapshotChain(2).next(state(2048)).bytes;
    expect(() => decodeSnapshotChain(Buffer.concat([other, delta]))).toThrow(
      'snapshot chain broken at segment 1: a delta that does not fit the state before it (the store appended it to another chain): resubmit the job',
    );
    expect(() => decodeSnapshotChain(delta)).toThrow(new SnapshotChainError(0));
    expect(plain(decodeSnapshotChain(Buffer.concat([full, delta])).stored)).toEqual(plain(s));
  });

  it('gives every segment of a run its own id, and runs different ids at the same window', () => {
    const s = state();
    const a = new SnapshotChain(tagOfToken('1'));
    const ids = [a.next(s), a.next(s)].map((g) => g.bytes.subarray(g.bytes.length - SEGMENT_ID_BYTES));
    expect(ids[0].equals(ids[1])).toBe(false);
    const b = new SnapshotChain(tagOfToken('2')).next(s).bytes;
    expect(b.subarray(b.length - SEGMENT_ID_BYTES).equals(ids[0])).toBe(false);
  });

  describe('sendSegment: a delta the store refuses', () => {
    /** A store that refuses the first `refusals` deltas it gets (`rebase`) and records what it was sent. */
    function refusing(refusals: number) {
      const sent: ('full' | 'delta')[] = [];
      const x = {
        saveSnapshot: (_bytes: Buffer, _keepFrom: number, _token: string, base?: Buffer | null) => {
          sent.push(base ? 'delta' : 'full');
          return Promise.resolve<SnapshotReply>(base && refusals-- > 0 ? 'rebase' : 'passed');
        },
      };
      return { x, sent };
    }

    it('awaited (a stopping run): goes again at once as a full one', async () => {
      const { x, sent } = refusing(1);
      const s = state();
      const chain = new SnapshotChain(1);
      expect(await sendSegment(x, chain, s, 0, 't', true)).toBe('passed');
      step(s, 2);
      expect(await sendSegment(x, chain, s, 1, 't', true)).toBe('passed');
      expect(sent).toEqual(['full', 'delta', 'full']);
    });

    it('not awaited (the shard runs on): a snapshot not taken; the next segment is a full one', async () => {
      const { x, sent } = refusing(1);
      const s = state();
      const chain = new SnapshotChain(1);
      expect(await sendSegment(x, chain, s, 0, 't', false)).toBe('passed');
      step(s, 2);
      expect(await sendSegment(x, chain, s, 1, 't', false)).toBe('passed');
      step(s, 2);
      expect(await sendSegment(x, chain, s, 2, 't', false)).toBe('passed');
      step(s, 2);
      expect(await sendSegment(x, chain, s, 3, 't', false)).toBe('passed');
      expect(sent).toEqual(['full', 'delta', 'full', 'delta']);
    });
  });
});
