import type { SimConfig } from '@tlbsim/sim-core';
import { FieldError } from './field-error.type';
import { SCENARIO_DEFAULTS } from './scenario.defaults';
import { ScenarioInputError } from './scenario-input.error';
import { SCENARIO_LIMITS } from './scenario.limits';
import { runInNewContext } from 'vm';
import { buildScenario, isPlainObject, validateScenario } from './scenario.validator';

/** Validates and returns the errors, failing the test if the input was accepted. */
function errorsOf(input: unknown): FieldError[] {
  const result = validateScenario(input);
  if (result.ok) throw new Error('expected validation errors');
  return result.errors;
}

/** Validates and returns the config, failing the test on errors. */
function ok(input: unknown): SimConfig {
  const result = validateScenario(input);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.scenario;
}

describe('validateScenario', () => {
  it('fills every default from a name alone', () => {
    expect(ok({ name: 'x' })).toEqual({ name: 'x', ...SCENARIO_DEFAULTS });
  });

  it('merges partial groups with their defaults', () => {
    const config = ok({ name: 'x', fleet: { hosts: 4 }, kvm: { policy: 'pre-overhaul' } });
    expect(config.fleet).toEqual({ ...SCENARIO_DEFAULTS.fleet, hosts: 4 });
    expect(config.kvm.policy).toBe('pre-overhaul');
  });

  it('returns a plain object of exactly the SimConfig keys', () => {
    const config = ok({ name: 'x' });
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(config.fleet)).toBe(Object.prototype);
    expect(Object.keys(config)).toEqual(['name', ...Object.keys(SCENARIO_DEFAULTS)]);
  });

  it('does not mutate its input', () => {
    const input = { name: 'x', fleet: { hosts: 2 } };
    ok(input);
    expect(input).toEqual({ name: 'x', fleet: { hosts: 2 } });
  });

  it('requires a name', () => {
    expect(errorsOf({})).toEqual([expect.objectContaining({ path: 'name', constraint: 'isDefined' })]);
  });

  it('rejects a non-object input and a non-object group', () => {
    expect(errorsOf([1])[0]).toMatchObject({ path: '', constraint: 'isObject' });
    expect(errorsOf({ name: 'x', fleet: 3 })[0]).toMatchObject({ path: 'fleet', constraint: 'isObject' });
  });

  it('names path, value and limit in the message', () => {
    const [error] = errorsOf({ name: 'x', fleet: { hosts: 5000 } });
    expect(error).toEqual({
      path: 'fleet.hosts',
      value: 5000,
      constraint: 'max',
      limit: 4096,
      message: 'fleet.hosts: 5000 exceeds the maximum 4096',
    });
    expect(errorsOf({ name: 'x', tlb: { ways: 0 } })[0].message).toBe('tlb.ways: 0 is below the minimum 1');
  });

  it('reports one type error, not the bounds, for a wrong type', () => {
    const errors = errorsOf({ name: 'x', fleet: { hosts: '4' }, workload: { pcid: 'yes' }, seed: 1.5 });
    expect(errors.map((e) => [e.path, e.constraint])).toEqual([
      ['seed', 'isInt'],
      ['fleet.hosts', 'isInt'],
      ['workload.pcid', 'isBoolean'],
    ]);
    expect(errors[1].message).toBe('fleet.hosts: "4" is not an integer (allowed: 1..4096)');
  });

  it('rejects an unknown policy and lists the valid ones', () => {
    const [error] = errorsOf({ name: 'x', kvm: { policy: 'yolo' } });
    expect(error.path).toBe('kvm.policy');
    expect(error.message).toContain('overhaul+hv-flush-current');
  });

  it('takes a scenario made in another realm (structuredClone under a VM context, a worker message) as an object', () => {
    const foreign = runInNewContext('({ name: "x", fleet: { hosts: 2 } })') as object;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(isPlainObject(foreign)).toBe(true);
    expect(validateScenario(foreign).ok).toBe(true);
    expect(isPlainObject(new (class Box {})())).toBe(false);
    expect(isPlainObject(new Date(0))).toBe(false);
    expect(isPlainObject(runInNewContext('[1]'))).toBe(false);
  });

  it('reports unknown keys with their dotted path, at any depth', () => {
    const errors = errorsOf({ name: 'x', colour: 'red', fleet: { hostz: 4 } });
    expect(errors.map((e) => [e.path, e.constraint])).toEqual([
      ['colour', 'unknownKey'],
      ['fleet.hostz', 'unknownKey'],
    ]);
    expect(errors[1].message).toContain('fleet.hostz: unknown key (value 4); allowed here: hosts,');
    // The known key it most likely meant, with its dotted path; nothing when none is close.
    expect(errors[1].message).toMatch(/; did you mean fleet\.hosts\?$/);
    expect(errors[0].message).not.toContain('did you mean');
  });

  it('accepts every bound of the limits table and rejects one past it', () => {
    expect(SCENARIO_LIMITS['fleet.hosts']).toEqual({ min: 1, max: 4096, integer: true });
    ok({ name: 'x', workload: { hotPercent: 100 }, platform: { cpuGhz: 0.1 } });
    expect(errorsOf({ name: 'x', workload: { hotPercent: 100.5 } })[0].limit).toBe(100);
  });
});

describe('cross-field rules', () => {
  const cases: Array<[string, Record<string, unknown>, string, number]> = [
    ['tlb.entries divisible by tlb.ways', { tlb: { entries: 1000, ways: 12 } }, 'tlb.entries', 12],
    ['hotPages <= workingSetPages', { workload: { hotPages: 2000, workingSetPages: 1024 } }, 'workload.hotPages', 1024],
    [
      'working sets fit in VM memory',
      { fleet: { memoryMiBPerVm: 16 }, workload: { workingSetPages: 4096, hotPages: 1 } },
      'workload.workingSetPages',
      2048,
    ],
    [
      'total vCPUs <= 65536',
      { fleet: { hosts: 4096, vmsPerHost: 4, vcpusPerVm: 8 }, tlb: { entries: 64, ways: 4 } },
      'fleet.vcpusPerVm',
      4,
    ],
    [
      'total accesses <= 1e11',
      { fleet: { hosts: 100, vmsPerHost: 10, vcpusPerVm: 1 }, workload: { accessesPerVcpu: 1e9 } },
      'workload.accessesPerVcpu',
      1e8,
    ],
    ['shards <= actors', { fleet: { hosts: 1, vmsPerHost: 1, vcpusPerVm: 1 }, run: { shards: 4 } }, 'run.shards', 3],
    ['windowNs <= lookahead', { latency: { ipiNs: 500 }, run: { windowNs: 600 } }, 'run.windowNs', 500],
    ['minShards <= shards', { run: { shards: 4, minShards: 5 } }, 'run.minShards', 4],
    ['warmupMs < simulatedMs', { run: { simulatedMs: 10, warmupMs: 10 } }, 'run.warmupMs', 10],
  ];

  it.each(cases)('%s', (_rule, patch, path, limit) => {
    const errors = errorsOf({ name: 'x', ...patch });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path, limit });
    expect(errors[0].message).toMatch(new RegExp(`^${path.replace('.', '\\.')}: \\d+ `));
    expect(errors[0].message).toContain(String(limit));
  });

  it('accepts the edges of each rule', () => {
    ok({ name: 'x', tlb: { entries: 1536, ways: 12 }, workload: { hotPages: 1024, workingSetPages: 1024 } });
    ok({ name: 'x', fleet: { hosts: 4096, vmsPerHost: 4, vcpusPerVm: 4 }, workload: { accessesPerVcpu: 1000 } });
    ok({ name: 'x', run: { windowNs: 2000 } });
    ok({ name: 'x', fleet: { hosts: 1, vmsPerHost: 1, vcpusPerVm: 1 }, run: { shards: 3 } });
    ok({ name: 'x', run: { shards: 4, minShards: 4 } });
    ok({ name: 'x', run: { simulatedMs: 10, warmupMs: 9.5 } });
    ok({ name: 'x', run: { warmupMs: 50 } });
  });

  it('names fleet.vmsPerHost when hosts*vmsPerHost alone exceeds the vCPU total (never "the maximum 0")', () => {
    const errors = errorsOf({ name: 'x', fleet: { hosts: 4096, vmsPerHost: 64, vcpusPerVm: 64 } });
    expect(errors.map((e) => e.path)).toEqual(['fleet.vmsPerHost']);
    expect(errors[0]).toMatchObject({ limit: 16 });
    expect(errors[0].message).toMatch(/^fleet\.vmsPerHost: 64 exceeds the maximum 16 \(/);
  });

  it('reports a refused fleet once, not again through every limit derived from it', () => {
    const errors = errorsOf({ name: 'x', fleet: { hosts: 4096, vmsPerHost: 16, vcpusPerVm: 64 } });
    expect(errors.map((e) => e.path)).toEqual(['fleet.vcpusPerVm']);
    expect(errors[0]).toMatchObject({ limit: 1 });
  });

  it('skips a rule when a field it reads is itself invalid', () => {
    const errors = errorsOf({ name: 'x', tlb: { entries: 1000, ways: 'twelve' } });
    expect(errors.map((e) => e.path)).toEqual(['tlb.ways']);
  });
});

describe('buildScenario', () => {
  it('applies overrides then validates', () => {
    expect(buildScenario({ name: 'x' }, ['fleet.hosts=4']).fleet.hosts).toBe(4);
  });

  it('throws ScenarioInputError holding every error', () => {
    try {
      buildScenario({ name: 'x' }, ['fleet.hosts=5000', 'tlb.ways=0']);
      throw new Error('no throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioInputError);
      expect((error as ScenarioInputError).errors.map((e) => e.path)).toEqual(['fleet.hosts', 'tlb.ways']);
      expect((error as Error).message).toContain('fleet.hosts: 5000 exceeds the maximum 4096');
    }
  });
});
