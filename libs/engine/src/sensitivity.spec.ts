import type { SimConfig } from '@tlbsim/sim-core';
import { SENSITIVITY_PARAMS, sensitivityOf } from './sensitivity';

/** A config with only the costs the search reads. */
const config = {
  costs: {
    asidFlushCycles: 200,
    inveptCycles: 8300,
    hypercallBaseCycles: 20000,
    hypercallPerVpCycles: 20000,
    ipiCycles: 2500,
    rootAllocCycles: 3000,
  },
} as unknown as SimConfig;

describe('sensitivity', () => {
  it('says the verdict holds where no end changes it, and brackets the break-even where one does', async () => {
    // The fix stays cheapest until the per-VP hypercall cost passes 31,000 cycles.
    let runs = 0;
    const verdictAt = async (c: SimConfig): Promise<string | null> => {
      runs++;
      return c.costs.hypercallPerVpCycles > 31000 ? 'enlightened-tlb-off' : 'fix';
    };
    const out = await sensitivityOf(config, 'fix', verdictAt, 6);
    expect(out.map((s) => s.parameter)).toEqual(SENSITIVITY_PARAMS.map((p) => `costs.${p.key}`));
    const perVp = out.find((s) => s.parameter === 'costs.hypercallPerVpCycles')!;
    expect(perVp.holds).toBe(false);
    expect(perVp.flips).toHaveLength(1);
    const [flip] = perVp.flips;
    expect(flip).toMatchObject({ toward: 'max', verdict: 'enlightened-tlb-off' });
    expect(flip.between[0]).toBeLessThanOrEqual(31000);
    expect(flip.between[1]).toBeGreaterThan(31000);
    // 6 halvings of 20,000..80,000: the bracket is 60,000 / 64 wide.
    expect(flip.between[1] - flip.between[0]).toBeCloseTo(60000 / 64, 6);
    for (const s of out.filter((x) => x !== perVp))
      expect([s.parameter, s.holds, s.evaluations]).toEqual([s.parameter, true, 2]);
    expect(perVp.evaluations).toBe(2 + 6);
    expect(runs).toBe(out.reduce((a, s) => a + s.evaluations, 0));
  });

  it('widens a range to include the scenario value', async () => {
    const c = { costs: { ...config.costs, ipiCycles: 50000 } } as unknown as SimConfig;
    const out = await sensitivityOf(c, 'fix', async () => 'fix', 2);
    expect(out.find((s) => s.parameter === 'costs.ipiCycles')!.range).toEqual([1000, 50000]);
  });

  it('gives the same answer with the parameters side by side (as on the workers), each re-run interleaved', async () => {
    // Each call yields first, so the parallel runs interleave their re-runs.
    const verdictAt = async (c: SimConfig): Promise<string | null> => {
      await new Promise((r) => setImmediate(r));
      return c.costs.hypercallPerVpCycles > 31000 || c.costs.ipiCycles < 1800 ? 'enlightened-tlb-off' : 'fix';
    };
    // How many re-runs had answered when each one was asked for.
    const answeredAtAsk: number[] = [];
    let answered = 0;
    const tracked = async (c: SimConfig): Promise<string | null> => {
      answeredAtAsk.push(answered);
      const v = await verdictAt(c);
      answered++;
      return v;
    };
    const serial = await sensitivityOf(config, 'fix', verdictAt, { steps: 5 });
    const parallel = await sensitivityOf(config, 'fix', tracked, { steps: 5, parallel: true });
    expect(parallel).toEqual(serial);
    expect(parallel.filter((s) => !s.holds).map((s) => s.parameter)).toEqual([
      'costs.hypercallPerVpCycles',
      'costs.ipiCycles',
    ]);
    // Every parameter's first re-run was asked for before any had an answer.
    expect(answeredAtAsk.slice(0, SENSITIVITY_PARAMS.length)).toEqual(SENSITIVITY_PARAMS.map(() => 0));
  });
});
