import { F_SEQ, F_SRC, F_TIME, MSG_WIDTH } from './message';
import { sortMessageOffsets } from './message-order';
import { Prng } from './prng';

/** n records with times and senders drawn from small ranges (many ties), each sender's sequence increasing. */
function records(prng: Prng, n: number): Float64Array {
  const buf = new Float64Array(n * MSG_WIDTH);
  const seqOf = new Map<number, number>();
  for (let m = 0; m < n; m++) {
    const src = prng.nextInt(5);
    const seq = (seqOf.get(src) ?? 0) + 1;
    seqOf.set(src, seq);
    buf[m * MSG_WIDTH + F_TIME] = prng.nextInt(8) * 0.5;
    buf[m * MSG_WIDTH + F_SRC] = src;
    buf[m * MSG_WIDTH + F_SEQ] = seq;
  }
  return buf;
}

describe('sortMessageOffsets', () => {
  it('orders by (time, src, seq) like a reference sort, for lengths around the insertion cut-off', () => {
    const seed = 3;
    const prng = new Prng(seed);
    for (const n of [0, 1, 2, 15, 16, 17, 33, 200, 1000]) {
      const buf = records(prng, n);
      const offsets = Array.from({ length: n }, (_, m) => m * MSG_WIDTH).reverse();
      const expected = [...offsets].sort(
        (a, b) => buf[a] - buf[b] || buf[a + F_SRC] - buf[b + F_SRC] || buf[a + F_SEQ] - buf[b + F_SEQ],
      );
      sortMessageOffsets(buf, offsets);
      expect([seed, n, offsets]).toEqual([seed, n, expected]);
    }
  });
});
