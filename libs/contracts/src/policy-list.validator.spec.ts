import { POLICY_NAMES } from '@tlbsim/sim-core';
import { allowedText } from './field-error.messages';
import { policyListErrors } from './policy-list.validator';
import { withShorthands } from './scenario.overrides';
import { accessesTotalOf, vcpusOf } from './scenario.totals';

describe('policyListErrors', () => {
  it('accepts each known policy once', () => {
    expect(policyListErrors([...POLICY_NAMES])).toEqual([]);
  });

  it('names each unknown and each repeated policy, and an empty list', () => {
    const errors = policyListErrors(['overhaul', 'nope', 'overhaul']);
    expect(errors.map((e) => [e.constraint, e.value])).toEqual([
      ['isIn', 'nope'],
      ['unique', 'overhaul'],
    ]);
    expect(errors[1].message).toBe('--policies: overhaul is listed more than once');
    expect(policyListErrors([], ' , ')).toEqual([
      expect.objectContaining({ constraint: 'policies', value: ' , ', limit: allowedText(POLICY_NAMES) }),
    ]);
  });

  it('names the policies by their bases and modifiers, not all 20 combinations', () => {
    const [unknown] = policyListErrors(['overhual']);
    expect(unknown.message).toBe(
      'kvm.policy: "overhual" is not one of pre-overhaul, overhaul, overhaul+hv-flush-current, overhaul+flush-on-alloc, ' +
        'enlightened-tlb-off, each optionally followed by +preserve-roots and/or +cr0wp-keep-roots (in that order); did you mean overhaul?',
    );
    expect(allowedText(['a', 'b'])).toBe('a, b');
  });
});

describe('withShorthands', () => {
  it('puts the shorthands after the overrides, so they win, with the policy quoted', () => {
    expect(withShorthands(['seed=1', 'fleet.hosts=2'], { seed: 7, policy: '123', shards: 3 })).toEqual([
      'seed=1',
      'fleet.hosts=2',
      'seed=7',
      'kvm.policy="123"',
      'run.shards=3',
    ]);
    expect(withShorthands(['a=1'], {})).toEqual(['a=1']);
  });
});

describe('scenario totals', () => {
  it('count vCPUs and accesses of the whole fleet', () => {
    const cfg = {
      fleet: { hosts: 2, vmsPerHost: 3, vcpusPerVm: 4, memoryMiBPerVm: 64 },
      workload: { accessesPerVcpu: 1000 },
    } as Parameters<typeof accessesTotalOf>[0];
    expect(vcpusOf(cfg)).toBe(24);
    expect(accessesTotalOf(cfg)).toBe(24_000);
  });

  it('count the accesses a run can make: run.simulatedMs bounds accessesPerVcpu at one access per hit time', () => {
    const cfg = {
      fleet: { hosts: 2, vmsPerHost: 3, vcpusPerVm: 4, memoryMiBPerVm: 64 },
      workload: { accessesPerVcpu: 100_000_000, accessIntervalNs: 2, accessSampling: 5 },
      run: { simulatedMs: 3 },
    } as Parameters<typeof accessesTotalOf>[0];
    // 3 ms at 10 ns an access: 300,000 (+1 for the access under way when time ends) a vCPU.
    expect(accessesTotalOf(cfg)).toBe(24 * 300_001);
    expect(accessesTotalOf({ ...cfg, run: { simulatedMs: 0 } })).toBe(24 * 100_000_000);
    expect(accessesTotalOf({ ...cfg, workload: { ...cfg.workload, accessesPerVcpu: 1000 } })).toBe(24_000);
  });
});
