import { readFileSync } from 'fs';
import { join } from 'path';
import { buildScenario, parseScenarioText } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';

/** Repository root. */
export const ROOT = join(__dirname, '..', '..');

/** A shipped scenario (scenarios/<name>.yaml) with `dotted.path=value` overrides, validated. */
export function shippedScenario(name: string, overrides: readonly string[] = []): SimConfig {
  const text = readFileSync(join(ROOT, 'scenarios', `${name}.yaml`), 'utf8');
  return buildScenario(parseScenarioText(text, 'yaml'), overrides);
}

/**
 * test/fixtures/root-reuse-compressed.yaml (the bug with heavy, compressed
 * event traffic and a cheap L0) with overrides, validated.
 */
export function rootReuseCompressed(overrides: readonly string[] = []): SimConfig {
  const text = readFileSync(join(ROOT, 'test', 'fixtures', 'root-reuse-compressed.yaml'), 'utf8');
  return buildScenario(parseScenarioText(text, 'yaml'), overrides);
}

/** A scenario from defaults plus overrides. */
export function scenario(name: string, overrides: readonly string[] = []): SimConfig {
  return buildScenario({ name }, overrides);
}

/**
 * The bug's setup, small enough for a unit-speed test: AMD, Hyper-V,
 * enlightened TLB, `overhaul`, frequent memslot updates and MMU-notifier
 * invalidations, one vCPU per VM (a freed root page comes straight back).
 */
export function rootReuseSmall(overrides: readonly string[] = []): SimConfig {
  return rootReuseCompressed(['workload.accessesPerVcpu=100000', 'fleet.vcpusPerVm=1', ...overrides]);
}
