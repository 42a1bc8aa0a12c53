import { ScenarioInputError } from './scenario-input.error';
import { applyOverrides, coerceOverrideValue, parseOverride } from './scenario.overrides';

/** The FieldErrors thrown by applyOverrides. */
function thrown(input: unknown, overrides: string[]): ScenarioInputError {
  try {
    applyOverrides(input, overrides);
  } catch (error) {
    if (error instanceof ScenarioInputError) return error;
    throw error;
  }
  throw new Error('expected ScenarioInputError');
}

describe('applyOverrides', () => {
  it('sets dotted paths with coercion, creating groups, without touching the input', () => {
    const input = { name: 'x', fleet: { hosts: 1 } };
    const out = applyOverrides(input, [
      'fleet.hosts=4',
      'platform.enlightenedTlb=false',
      'kvm.policy=pre-overhaul',
      'platform.cpuGhz=2.5',
    ]);
    expect(out).toEqual({
      name: 'x',
      fleet: { hosts: 4 },
      platform: { enlightenedTlb: false, cpuGhz: 2.5 },
      kvm: { policy: 'pre-overhaul' },
    });
    expect(input).toEqual({ name: 'x', fleet: { hosts: 1 } });
  });

  it('applies overrides in order, the last one wins', () => {
    expect(applyOverrides({ name: 'x' }, ['seed=2', 'seed=3'])).toEqual({ name: 'x', seed: 3 });
  });

  it('coerces numbers and booleans, keeps quoted text as a string', () => {
    expect(coerceOverrideValue('1e3')).toBe(1000);
    expect(coerceOverrideValue('-2')).toBe(-2);
    expect(coerceOverrideValue('true')).toBe(true);
    expect(coerceOverrideValue('"42"')).toBe('42');
    expect(coerceOverrideValue('round-robin')).toBe('round-robin');
  });

  it('reports malformed overrides as field errors', () => {
    const error = thrown({ name: 'x' }, ['fleethosts4', 'fleet..hosts=1', 'fleet.hosts=', '__proto__.x=1']);
    expect(error.errors.map((e) => e.constraint)).toEqual(['override', 'override', 'override', 'override']);
    expect(error.errors[0].message).toBe('override "fleethosts4": expected dotted.path=value, e.g. fleet.hosts=4');
    expect(error.errors[2].path).toBe('fleet.hosts');
  });

  it('refuses to descend into a non-object', () => {
    const error = thrown({ name: 'x', seed: 3 }, ['seed.low=1']);
    expect(error.errors[0]).toMatchObject({ path: 'seed.low', constraint: 'override' });
    expect(error.errors[0].message).toContain('seed is 3, not an object');
  });

  it('parses a single override', () => {
    expect(parseOverride('run.placement=round-robin')).toEqual({ keys: ['run', 'placement'], value: 'round-robin' });
  });
});
