import { ReportedKeys } from './reported-keys';
import { Prng } from './prng';

describe('ReportedKeys', () => {
  it('agrees with a Set on random keys below 2^53, through growth and clear', () => {
    const seed = 11;
    const prng = new Prng(seed);
    const keys = new ReportedKeys();
    const ref = new Set<number>();
    for (let i = 0; i < 20000; i++) {
      // Keys shaped like the checker's: (inc * 2^27 + gpa) * 8 + cause bits, with repeats.
      const key = (prng.nextInt(300) * 0x8000000 + prng.nextInt(4096)) * 8 + 2 * (1 + prng.nextInt(3));
      expect(keys.has(key)).toBe(ref.has(key));
      keys.add(key);
      ref.add(key);
      if (i === 12000) {
        keys.clear();
        ref.clear();
      }
    }
    expect(keys.size).toBe(ref.size);
    expect(keys.keys()).toEqual([...ref].sort((a, b) => a - b));
  });

  it('refuses a key it cannot hold exactly', () => {
    const keys = new ReportedKeys();
    expect(() => keys.add(0)).toThrow(/positive safe integer/);
    expect(() => keys.add(2 ** 53 + 2)).toThrow(/positive safe integer/);
    expect(() => keys.add(1.5)).toThrow(/positive safe integer/);
  });
});
