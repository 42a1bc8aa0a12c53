import { barAxis } from './axis.range';

describe('barAxis', () => {
  it('says empty when every value is zero or there is none', () => {
    expect(barAxis([0, 0, 0])).toEqual({ kind: 'empty' });
    expect(barAxis([])).toEqual({ kind: 'empty' });
  });

  it('starts at zero when the values differ a lot', () => {
    expect(barAxis([0, 5])).toEqual({ kind: 'zero' });
    expect(barAxis([10, 100])).toEqual({ kind: 'zero' });
    expect(barAxis([-3, 5])).toEqual({ kind: 'zero' });
  });

  it('lifts the baseline under close values so their difference shows', () => {
    const axis = barAxis([10400, 10900]);
    expect(axis.kind).toBe('fit');
    const min = (axis as { min: number }).min;
    expect(min).toBeGreaterThan(9000);
    expect(min).toBeLessThan(10400);
    // The bars' visible heights differ by more than a few percent.
    expect((10900 - min) / (10400 - min)).toBeGreaterThan(1.5);
  });

  it('makes the tallest bar at least 1.5 times the shortest whenever values differ', () => {
    for (const [lo, hi] of [
      [10400, 10500],
      [1, 1.9],
      [123456, 123457],
      [5, 9.99],
      [0.004, 0.0041],
    ]) {
      const axis = barAxis([lo, hi]);
      const min = axis.kind === 'fit' ? axis.min : 0;
      expect((hi - min) / (lo - min)).toBeGreaterThanOrEqual(1.5);
      expect(min).toBeLessThan(lo);
    }
  });

  it('keeps equal non-zero values visible above the baseline', () => {
    const axis = barAxis([2000, 2000]);
    expect(axis).toEqual({ kind: 'fit', min: 1800 });
  });
});
