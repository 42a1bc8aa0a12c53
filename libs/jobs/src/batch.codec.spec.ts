import { MSG_WIDTH } from '@tlbsim/sim-core';
import { decodeBatch, dedupeInbound, encodeBatch } from './batch.codec';

function batch(src: number, seqs: number[]): Float64Array {
  const b = new Float64Array(seqs.length * MSG_WIDTH);
  seqs.forEach((seq, i) => b.set([100 + seq, src, seq, 9, 1], i * MSG_WIDTH));
  return b;
}

describe('batch codec', () => {
  it('round-trips a batch through bytes, even unaligned', () => {
    const b = batch(3, [0, 1, 2]);
    const bytes = Buffer.concat([Buffer.alloc(3), encodeBatch(b)]).subarray(3);
    expect(Array.from(decodeBatch(bytes))).toEqual(Array.from(b));
  });

  it('keeps distinct senders as they are', () => {
    const d = dedupeInbound([
      { sender: 0, batch: batch(1, [0, 1]) },
      { sender: 1, batch: batch(7, [0]) },
    ]);
    expect(d).toMatchObject({ messages: 3, duplicates: 0 });
  });

  it('drops resent messages by (src actor, seq), keeping new ones of the same entry', () => {
    const d = dedupeInbound([
      { sender: 0, batch: batch(1, [0, 1]) },
      { sender: 0, batch: batch(1, [1, 2]) },
    ]);
    expect(d.messages).toBe(3);
    expect(d.duplicates).toBe(1);
    expect(d.batches.reduce((a, b) => a + b.length / MSG_WIDTH, 0)).toBe(3);
  });
});
