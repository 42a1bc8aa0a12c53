/** Choosing a value axis that shows the differences between bars. */

/** How a bar chart's value axis is drawn. */
export type BarAxis =
  /** Every value is zero (or there is none): draw no chart, say so. */
  | { kind: 'empty' }
  /** From zero: the values differ enough to tell apart. */
  | { kind: 'zero' }
  /** From `min` (above zero): the values are close together, far from zero. */
  | { kind: 'fit'; min: number };

/** Rounds `x` down to a multiple of the power of ten at most `scale` (a round tick), never below 0. */
function floorRound(x: number, scale: number): number {
  const step = 10 ** Math.floor(Math.log10(scale));
  return Math.max(0, Math.floor(x / step) * step);
}

/**
 * The axis of a bar chart of `values`: `empty` when all are zero; from zero
 * when the smallest is below half the largest (or any is negative);
 * otherwise from a baseline under the smallest by half the spread (a tenth
 * of the value when all are equal), rounded down to a round number no
 * further than that: the largest bar then stands at least 1.5 times as
 * tall as the smallest, so 10,400 against 10,500 looks different.
 */
export function barAxis(values: readonly number[]): BarAxis {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.every((v) => v === 0)) return { kind: 'empty' };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (lo <= 0 || lo < hi / 2) return { kind: 'zero' };
  const pad = hi > lo ? (hi - lo) / 2 : lo / 10;
  const min = floorRound(lo - pad, pad);
  return min > 0 ? { kind: 'fit', min } : { kind: 'zero' };
}
