import type { VaryAxis } from '@tlbsim/contracts';
import { closenessOf, HuntSearch } from './hunt.search';

const axes: VaryAxis[] = [
  { key: 'fleet.vcpusPerVm', kind: 'range', min: 1, max: 4, integer: true },
  { key: 'events.cr4WritesPerSec', kind: 'range', min: 0.5, max: 2.5, integer: false },
  { key: 'platform.enlightenedTlb', kind: 'choice', texts: ['false', 'true'] },
];

describe('HuntSearch', () => {
  it('goes on from a snapshot (through JSON) exactly as the search it was taken from', () => {
    const a = new HuntSearch(axes, 3, 4);
    for (let i = 0; i < 10; i++) a.record(a.next(), (i * 37) % 11);
    const b = HuntSearch.restore(axes, 4, JSON.parse(JSON.stringify(a.snapshot())));
    for (let i = 0; i < 20; i++) {
      const c = a.next();
      expect(b.next()).toEqual(c);
      a.record(c, i);
      b.record(c, i);
    }
  });

  it('is deterministic for a seed and keeps every value within its axis', () => {
    const a = new HuntSearch(axes, 7, 5);
    const b = new HuntSearch(axes, 7, 5);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const c = a.next();
      expect(b.next()).toEqual(c);
      a.record(c, i);
      b.record(c, i);
      const vcpus = Number(c.values['fleet.vcpusPerVm']);
      expect(Number.isInteger(vcpus) && vcpus >= 1 && vcpus <= 4).toBe(true);
      const rate = Number(c.values['events.cr4WritesPerSec']);
      expect(rate).toBeGreaterThanOrEqual(0.5);
      expect(rate).toBeLessThanOrEqual(2.5);
      expect(['false', 'true']).toContain(c.values['platform.enlightenedTlb']);
      expect(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff).toBe(true);
      seen.add(c.values['platform.enlightenedTlb']);
    }
    expect(seen.size).toBe(2);
    expect(new HuntSearch(axes, 8, 5).next()).not.toEqual(new HuntSearch(axes, 7, 5).next());
  });

  it('ranks a violation above any amount of stale hits, and stale hits above reuse', () => {
    const none = { violations: 0, staleHits: 0, rootsReused: 0, rootsReusedByOtherVm: 0, hypercalls: 0 };
    expect(closenessOf({ ...none, violations: 1 })).toBeGreaterThan(closenessOf({ ...none, staleHits: 100000 }));
    expect(closenessOf({ ...none, staleHits: 1 })).toBeGreaterThan(
      closenessOf({ ...none, rootsReusedByOtherVm: 900, rootsReused: 900 }),
    );
  });
});
