import type { ParamSensitivity } from '../api';
import { heldShares, sensitivityText } from './sensitivity.view';

/** A parameter at 20,000 tried over 2,000..80,000. */
function param(flips: ParamSensitivity['flips']): ParamSensitivity {
  return {
    parameter: 'costs.hypercallPerVpCycles',
    value: 20000,
    range: [2000, 80000],
    why: '',
    holds: flips.length === 0,
    flips,
    evaluations: 2 + flips.length * 4,
  };
}

describe('sensitivity tornado', () => {
  it('fills both halves where the verdict holds, and says over which range', () => {
    const p = param([]);
    expect(heldShares(p)).toEqual({ left: 1, right: 1 });
    expect(sensitivityText(p)).toBe('verdict holds over [2k, 80k]');
  });

  it('cuts the half toward a flip at its break-even, and names the verdict past it', () => {
    const p = param([{ toward: 'max', verdict: 'enlightened-tlb-off', breakEven: 50000, between: [48125, 51875] }]);
    // 20,000 -> 50,000 is half of 20,000 -> 80,000.
    expect(heldShares(p)).toEqual({ left: 1, right: 0.5 });
    expect(sensitivityText(p)).toBe('break-even ≈ 50k (above: enlightened-tlb-off)');
  });

  it('measures the half toward min from the scenario value down', () => {
    const p = param([{ toward: 'min', verdict: null, breakEven: 11000, between: [11562.5, 10437.5] }]);
    expect(heldShares(p).left).toBeCloseTo(0.5, 12);
    expect(sensitivityText(p)).toBe('break-even ≈ 11k (below: no policy without violations)');
  });
});
