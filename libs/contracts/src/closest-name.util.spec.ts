import { POLICY_NAMES } from '@tlbsim/sim-core';
import { closestName } from './closest-name.util';
import { constraintError } from './field-error.messages';
import { policyListErrors } from './policy-list.validator';

describe('closestName', () => {
  it('suggests the policy a typo meant, or the only one containing the text, and nothing when far off', () => {
    expect(closestName('overhual', POLICY_NAMES)).toBe('overhaul');
    expect(closestName('Pre-Overhaul', POLICY_NAMES)).toBe('pre-overhaul');
    expect(closestName('overhaul+hv-flush-curent', POLICY_NAMES)).toBe('overhaul+hv-flush-current');
    expect(closestName('enlightened', POLICY_NAMES)).toBe('enlightened-tlb-off');
    expect(closestName('yolo', POLICY_NAMES)).toBeNull();
    expect(closestName('overhaul', POLICY_NAMES)).toBeNull();
  });

  it('the one message of an unknown policy (scenario, --policy, --policies, the API) says "did you mean"', () => {
    expect(constraintError('kvm.policy', 'overhual', 'isIn').message).toMatch(
      /^kvm\.policy: "overhual" is not one of .*; did you mean overhaul\?$/,
    );
    expect(constraintError('kvm.policy', 'yolo', 'isIn').message).not.toContain('did you mean');
    expect(policyListErrors(['overhaul', 'pre-overhual'])[0].message).toContain('did you mean pre-overhaul?');
  });
});
