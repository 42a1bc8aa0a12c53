import { POLICY_BASES, POLICY_NAMES, policyParts } from './config';
import { policyFlags } from './policy';
import { smallConfig } from './testing/sim-config.fixture';

describe('policy names: a base, then modifiers in order', () => {
  it('lists every base with every combination of modifiers, each once', () => {
    expect(POLICY_NAMES).toHaveLength(POLICY_BASES.length * 4);
    expect(new Set(POLICY_NAMES).size).toBe(POLICY_NAMES.length);
    expect(POLICY_NAMES.slice(0, POLICY_BASES.length)).toEqual([...POLICY_BASES]);
  });

  it('splits a name into its base and modifiers (a base may itself contain +)', () => {
    expect(policyParts('overhaul+hv-flush-current+preserve-roots+cr0wp-keep-roots')).toEqual({
      base: 'overhaul+hv-flush-current',
      modifiers: ['preserve-roots', 'cr0wp-keep-roots'],
    });
    expect(policyParts('overhaul+cr0wp-keep-roots')).toEqual({ base: 'overhaul', modifiers: ['cr0wp-keep-roots'] });
    expect(policyParts('enlightened-tlb-off')).toEqual({ base: 'enlightened-tlb-off', modifiers: [] });
  });

  it('a modifier changes only its own flag', () => {
    const flags = (policy: string) => policyFlags(smallConfig({ kvm: { policy: policy as never } }));
    const base = flags('overhaul+hv-flush-current');
    expect(flags('overhaul+hv-flush-current+preserve-roots')).toEqual({ ...base, preserveRoots: true });
    expect(flags('overhaul+hv-flush-current+cr0wp-keep-roots')).toEqual({ ...base, cr0wpKeepRoots: true });
    expect(flags('enlightened-tlb-off+preserve-roots').enlightened).toBe(false);
  });
});
