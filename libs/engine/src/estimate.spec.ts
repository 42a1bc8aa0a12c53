import {
  CONVERGENCE,
  convergenceOf,
  estimateOf,
  overheadPercent,
  pairedOverheadOf,
  replicationSeeds,
  tQuantile975,
} from './estimate';

describe('estimate', () => {
  it('t(0.975, df): the table, and the expansion above it within 1e-3 of published values', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(4)).toBeCloseTo(2.776, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(40)).toBeCloseTo(2.021, 3);
    expect(tQuantile975(60)).toBeCloseTo(2.0, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 3);
    expect(() => tQuantile975(0)).toThrow(/degrees of freedom 0/);
  });

  it('the mean and the Student t half-width of a sample', () => {
    // mean 3, sample sd sqrt(2.5), n 5: 2.776 * 1.5811 / 2.2361 = 1.963
    expect(estimateOf([1, 2, 3, 4, 5])).toEqual({ mean: 3, ci95: expect.closeTo(1.963, 3), n: 5 });
    expect(estimateOf([4])).toEqual({ mean: 4, ci95: null, n: 1 });
    expect(() => estimateOf([])).toThrow(/at least one/);
  });

  it('pairs overheads by replication', () => {
    expect(overheadPercent(12, 10)).toBeCloseTo(20);
    const e = pairedOverheadOf([10, 20, 40], [9, 18, 36]);
    expect(e.mean).toBeCloseTo(-10, 9);
    expect(e.ci95).toBeCloseTo(0, 9);
    expect(() => pairedOverheadOf([1, 2], [1])).toThrow(/1 replications against 2/);
  });

  it('derives distinct replication seeds from the scenario seed, the first being the seed itself', () => {
    const seeds = replicationSeeds(11, 20);
    expect(seeds[0]).toBe(11);
    expect(new Set(seeds).size).toBe(20);
    expect(replicationSeeds(11, 20)).toEqual(seeds);
    expect(replicationSeeds(12, 3)[1]).not.toBe(seeds[1]);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s <= 4294967295).toBe(true);
  });

  it('calls a figure converged only with a narrow interval and enough events', () => {
    const narrow = { mean: -12, ci95: 1.5, n: 5 };
    expect(convergenceOf(narrow, 'overhead', CONVERGENCE.costEventsMin)).toEqual({ converged: true });
    const wide = convergenceOf({ mean: -12, ci95: 4, n: 5 }, 'overhead', 10000);
    expect(wide).toMatchObject({ converged: false, replicationsNeeded: 20 });
    expect(wide.reason).toContain('±4 pp wider than ±2 pp');
    const few = convergenceOf(narrow, 'overhead', 100);
    expect(few).toMatchObject({ converged: false, lengthFactorNeeded: 4 });
    expect(convergenceOf({ mean: 1, ci95: null, n: 1 }, 'overhead', 1e6)).toMatchObject({
      converged: false,
      replicationsNeeded: CONVERGENCE.replicationsMin,
    });
    expect(convergenceOf({ mean: 10, ci95: 0.6, n: 5 }, 'relative', Infinity).converged).toBe(false);
    expect(convergenceOf({ mean: 10, ci95: 0.4, n: 5 }, 'relative', Infinity).converged).toBe(true);
  });
});
