/**
 * sim-core's spec fixture (`smallConfig()`, libs/sim-core/src/testing) is a
 * literal: sim-core imports nothing, so it cannot derive its values from the
 * scenario declaration (SCENARIO_KEYS in libs/contracts). This test holds it
 * to the declaration instead: every key equals its declared default except
 * the ones the fixture shrinks on purpose (listed here, by path), and the
 * whole config passes the scenario validation, limits and cross-field rules
 * included. A changed default, or a key added with another value, fails here.
 * It lives in test/ because a libs/contracts spec may import sim-core only by
 * its package name, and the fixture is not part of sim-core's index.
 */
import { declaredKeys, validateScenario } from '@tlbsim/contracts';
import { smallConfig } from '../libs/sim-core/src/testing/sim-config.fixture';

/** Keys the fixture sets to small or spec-specific values (a fast, one-VM config; any value the limits accept). */
const CHOSEN = new Set([
  'name',
  'seed',
  'fleet.vmsPerHost',
  'fleet.memoryMiBPerVm',
  'tlb.entries',
  'tlb.ways',
  'tlb.nestedCacheEntries',
  'workload.accessesPerVcpu',
  'workload.workingSetPages',
  'workload.processes',
  'workload.cr3SwitchesPerMillionAccesses',
  'workload.invlpgPerMillionAccesses',
  // 2000 (the default is 20000): the optimistic reading of docs/costs.md; the sim-core specs were written with it.
  'costs.hypercallPerVpCycles',
]);

/** The value at a dotted path. */
function at(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

describe('sim-core spec fixture (smallConfig)', () => {
  const config = smallConfig();

  it('has the declared default of every key it does not choose on purpose', () => {
    const differs: string[] = [];
    for (const [path, decl] of declaredKeys()) {
      if (CHOSEN.has(path) || !('default' in decl)) continue;
      if (at(config, path) !== decl.default)
        differs.push(`${path}: fixture ${String(at(config, path))}, declared default ${String(decl.default)}`);
    }
    expect(differs).toEqual([]);
  });

  it('chooses only declared keys', () => {
    const declared = new Set<string>(declaredKeys().map(([path]) => path));
    expect([...CHOSEN].filter((path) => !declared.has(path))).toEqual([]);
  });

  it('is a valid scenario', () => {
    const result = validateScenario(config);
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([]);
  });
});
