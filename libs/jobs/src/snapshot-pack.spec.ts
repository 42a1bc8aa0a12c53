import { pack, packDelta, packedWordsBound, unpack, unpackDelta } from './snapshot-pack';

/** The pack that encoding 3 was written with (before the unrolled scan): the bytes must not change. */
function referencePack(src: Int32Array, out: Int32Array, at: number): number {
  const n = src.length;
  const m = (n + 31) >>> 5;
  let w = at + m;
  for (let b = 0; b < m; b++) {
    let bits = 0;
    const end = Math.min(n, (b + 1) << 5);
    for (let i = b << 5, k = 0; i < end; i++, k++) {
      const v = src[i];
      if (v !== 0) {
        bits |= 1 << k;
        out[w++] = v;
      }
    }
    out[at + b] = bits;
  }
  return w - at;
}

/** A deterministic mix of the kernel's shapes: all-zero blocks, dense blocks, one word in six, -0, NaN payloads. */
function words(n: number, seed: number): Int32Array {
  const f = new Float64Array(Math.ceil(n / 2) + 1);
  const w = new Int32Array(f.buffer, 0, n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const block = (i >>> 5) % 5;
    if (block === 0) continue; // all zero
    if (block === 1)
      w[i] = x | 1; // dense
    else if (block === 2)
      w[i] = i % 6 === 2 ? x : 0; // the TLB slots' period
    else if (block === 3)
      w[i] = x >>> 28 === 0 ? x : 0; // sparse, irregular
    else w[i] = (x & 3) === 0 ? -(2 ** 31) : x & 1; // sign bit alone, ones
  }
  // -0 and a NaN with a payload: their low words are zero, only the high word is not.
  f[1] = -0;
  new Int32Array(f.buffer)[5] = 0x7ff80001;
  return w;
}

describe('snapshot pack', () => {
  it.each([0, 1, 31, 32, 33, 63, 64, 65, 97, 1000, 4099])(
    'writes the same words as encoding 3 always did, and unpacks them bit for bit (%i words)',
    (n) => {
      const src = words(n, n + 7);
      const bound = packedWordsBound(n);
      const expected = new Int32Array(bound + 3);
      const written = referencePack(src, expected, 3);
      // Stale data in the reused buffer: whatever pack does not write must stay as it was.
      const out = new Int32Array(bound + 3).fill(0x5a5a5a5a);
      expect(pack(src, out, 3)).toBe(written);
      expect(Array.from(out.subarray(3, 3 + written))).toEqual(Array.from(expected.subarray(3, 3 + written)));
      expect(out.subarray(0, 3).every((v) => v === 0x5a5a5a5a)).toBe(true);
      expect(out.subarray(3 + written).every((v) => v === 0x5a5a5a5a)).toBe(true);
      const back = new Int32Array(n);
      expect(unpack(out, 3, back)).toBe(written);
      expect(Array.from(back)).toEqual(Array.from(src));
    },
  );

  it('keeps -0 and NaN payloads of Float64 words, and never writes more than the bound', () => {
    const f = Float64Array.of(-0, 0, Number.NaN, 1e-310, -Infinity, 0, 0, 0);
    new Uint32Array(f.buffer)[5] = 0x7ff00001; // a signalling NaN's payload
    const src = new Int32Array(f.buffer);
    const out = new Int32Array(packedWordsBound(src.length));
    const back = new Float64Array(f.length);
    expect(pack(src, out, 0)).toBeLessThanOrEqual(out.length);
    unpack(out, 0, new Int32Array(back.buffer));
    expect(Buffer.from(back.buffer).equals(Buffer.from(f.buffer))).toBe(true);
    expect(Object.is(back[0], -0)).toBe(true);
    const dense = Int32Array.from({ length: 70 }, (_, i) => i - 35 || 9);
    expect(pack(dense, new Int32Array(packedWordsBound(70)), 0)).toBe(packedWordsBound(70));
  });

  it('packs the XOR of two states (the changed words), updates the base, and unpacks back onto the old base', () => {
    for (const n of [0, 1, 31, 32, 33, 1000]) {
      const before = words(n, 3);
      const after = before.slice();
      for (let i = 0; i < n; i += 7) after[i] = (after[i] ^ (i + 1)) | 0;
      const changed = after.filter((v, i) => v !== before[i]).length;
      const base = before.slice();
      const out = new Int32Array(packedWordsBound(n) + 5);
      expect(packDelta(after, base, out, 5)).toBe(((n + 31) >>> 5) + changed);
      expect(base).toEqual(after);
      const back = before.slice();
      expect(unpackDelta(out, 5, back)).toBe(((n + 31) >>> 5) + changed);
      expect(Buffer.from(back.buffer).equals(Buffer.from(after.buffer))).toBe(true);
    }
  });
});
