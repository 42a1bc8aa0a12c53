import { ReportedKeys, reportedKey } from './reported-keys';
import { Prng } from './prng';

const BASE = 8192;
const PAGES = 4096;

describe('ReportedKeys', () => {
  it('agrees with a Set of snapshot keys on random entries, through clear, and round-trips its keys', () => {
    const seed = 11;
    const prng = new Prng(seed);
    const keys = new ReportedKeys(BASE, PAGES);
    const ref = new Set<number>();
    for (let i = 0; i < 20000; i++) {
      // Shaped like the checker's entries: a few hundred incarnations, the region's pages, three cause sets, repeats.
      const inc = prng.nextInt(300);
      const gpa = BASE + prng.nextInt(PAGES);
      const causes = 2 * (1 + prng.nextInt(3));
      expect(keys.has(inc, gpa, causes)).toBe(ref.has(reportedKey(inc, gpa, causes)));
      keys.add(inc, gpa, causes);
      ref.add(reportedKey(inc, gpa, causes));
      if (i === 12000) {
        keys.clear();
        ref.clear();
        expect(keys.bytes).toBe(0);
      }
    }
    expect(keys.size).toBe(ref.size);
    expect(keys.keys()).toEqual([...ref].sort((a, b) => a - b));
    const back = new ReportedKeys(BASE, PAGES);
    for (const k of keys.keys()) back.addKey(k);
    expect(back.keys()).toEqual(keys.keys());
    expect(back.size).toBe(keys.size);
  });

  it('takes one byte per region page (and a fixed overhead) for each incarnation it holds, however many keys that has', () => {
    const keys = new ReportedKeys(BASE, PAGES);
    for (let g = 0; g < PAGES; g++) keys.add(7, BASE + g, 2);
    for (let g = 0; g < PAGES; g += 2) keys.add(7, BASE + g, 6);
    expect(keys.size).toBe(PAGES + PAGES / 2);
    expect(keys.bytes).toBe(keys.bytesPerIncarnation);
    expect(keys.bytesPerIncarnation).toBeGreaterThanOrEqual(PAGES);
    expect(keys.bytesPerIncarnation).toBeLessThan(PAGES + 1024);
    keys.add(9, BASE, 4);
    expect(keys.bytes).toBe(2 * keys.bytesPerIncarnation);
    expect(keys.incarnations).toBe(2);
    expect(keys.knows(9)).toBe(true);
    expect(keys.knows(8)).toBe(false);
    // The cause sets are told apart: 6 (both) is not 2 or 4.
    expect(keys.has(9, BASE, 4)).toBe(true);
    expect(keys.has(9, BASE, 6)).toBe(false);
    expect(keys.has(9, BASE, 2)).toBe(false);
  });

  it('refuses what it cannot hold exactly', () => {
    const keys = new ReportedKeys(BASE, PAGES);
    expect(() => keys.add(1, BASE - 1, 2)).toThrow(/outside the region/);
    expect(() => keys.add(1, BASE + PAGES, 2)).toThrow(/outside the region/);
    expect(() => keys.add(1, BASE, 3)).toThrow(/not 2, 4 or 6/);
    expect(() => keys.add(2 ** 23 + 1, BASE, 2)).toThrow(/incarnation/);
    expect(() => keys.addKey(0)).toThrow(/positive safe integer/);
    expect(() => keys.addKey(2 ** 53 + 2)).toThrow(/positive safe integer/);
    expect(() => keys.addKey(1.5)).toThrow(/positive safe integer/);
    expect(keys.size).toBe(0);
  });
});
