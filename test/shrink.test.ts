/**
 * `tlbsim shrink`: the shipped bug's scenario (8 VMs, 16 vCPUs) shrinks to
 * the goal of issue 13 (at most 2 VMs, 4 vCPUs, a witness of at most 12
 * events) with the same class, and the minimal scenario reproduces it.
 */
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { applyOverrides, buildScenario, parseScenarioText } from '@tlbsim/contracts';
import { runShrink, runToFirstViolation, ShrinkResult } from '@tlbsim/engine';
import type { CliIo } from '../services/cli/src/cli.context';
import { shrinkCommand } from '../services/cli/src/commands/shrink.command';
import { runCli } from '../services/cli/src/program';
import { ROOT } from './support/scenario.fixture';

const FILE = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
const input = parseScenarioText(readFileSync(FILE, 'utf8'), 'yaml');
let result: ShrinkResult;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s) };
  const code = await runCli(['node', 'tlbsim', 'shrink', ...args], [shrinkCommand], io, async () => {
    throw new Error('shrink runs the engine itself');
  });
  return { code, out, err };
}

beforeAll(async () => {
  result = await runShrink({ input, overrides: [] });
});

describe('tlbsim shrink', () => {
  it('shrinks the shipped bug to at most 2 VMs, 4 vCPUs and a witness of at most 12 events, same class', async () => {
    const original = await runToFirstViolation(buildScenario(input));
    expect(result.violationClass).toBe(original.violations.witnesses[0].class);
    expect(result.before.vcpus).toBe(original.fleet.vcpus);
    expect(result.after.vms).toBeLessThanOrEqual(2);
    expect(result.after.vcpus).toBeLessThanOrEqual(4);
    expect(result.after.witnessEvents).toBeLessThanOrEqual(12);
    expect(result.after.witnessEvents).toBeGreaterThan(0);
    // A smaller fleet can need more accesses per vCPU before a page comes back to another VM.
    expect(result.after.vcpus).toBeLessThan(result.before.vcpus);
    expect(result.report.violations.witnesses[0].class).toBe(result.violationClass);
  });

  it('the minimal scenario, as written, reproduces the violation and its witness', async () => {
    const again = await runToFirstViolation(
      buildScenario(applyOverrides(input, result.overrides)),
      result.violationClass,
    );
    expect(again.violations.byClass[result.violationClass]).toBeGreaterThan(0);
    expect(again.violations.witnesses[0]).toEqual(result.report.violations.witnesses[0]);
  });

  it('keeps a class given with --class, writes --out, and refuses a scenario with no violation (exit 2)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tlbsim-shrink-')), 'min.yaml');
    const r = await cli(
      FILE,
      '--policy',
      'overhaul+hv-flush-current',
      '--set',
      'kvm.freeBeforeFlush=true',
      '--class',
      'use-after-free',
      '--seeds',
      '4',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^tlbsim shrink: use-after-free kept, \d+ runs/);
    expect(r.out).toMatch(/vCPUs +16 -> \d+/);
    expect(r.out).toContain('--- minimal scenario ---');
    const saved = await runToFirstViolation(
      buildScenario(parseScenarioText(readFileSync(out, 'utf8'), 'yaml')),
      'use-after-free',
    );
    expect(saved.violations.byClass['use-after-free']).toBeGreaterThan(0);
    const none = await cli(FILE, '--policy', 'overhaul+hv-flush-current', '--set', 'workload.accessesPerVcpu=5000');
    expect(none.code).toBe(2);
    expect(none.err).toContain('no violation in the scenario: nothing to shrink');
  });
});
