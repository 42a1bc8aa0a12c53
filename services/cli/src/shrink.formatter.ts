import { applyOverrides, scenarioToYaml } from '@tlbsim/contracts';
import type { ShrinkResult, ShrinkSize, Witness } from '@tlbsim/engine';
import { alignPairs, fmtFixed, fmtInt } from './format.util';
import { formatFirstViolation } from './report.formatter';

/** What `tlbsim shrink --json` prints. */
export interface ShrinkJson {
  violationClass: string;
  runs: number;
  elapsedMs: number;
  before: ShrinkSize;
  after: ShrinkSize;
  overrides: string[];
  /** The minimal scenario as written: the file with the shrink's overrides applied. */
  scenario: unknown;
  witness: Witness | null;
}

/** The minimal scenario as a YAML file that reproduces the violation. */
export function minimalScenarioYaml(input: unknown, result: ShrinkResult): string {
  const head =
    `# Shrunk by tlbsim shrink (${result.violationClass}, ${result.after.vcpus} vCPU(s), witness of ${result.after.witnessEvents} events).\n` +
    '# Reproduce: tlbsim run <this file> --stop-at-first-violation\n';
  return head + scenarioToYaml(applyOverrides(input, result.overrides));
}

/** The `--json` object. */
export function shrinkJson(input: unknown, result: ShrinkResult, elapsedMs: number): ShrinkJson {
  return {
    violationClass: result.violationClass,
    runs: result.runs,
    elapsedMs,
    before: result.before,
    after: result.after,
    overrides: result.overrides,
    scenario: applyOverrides(input, result.overrides),
    witness: result.report.violations.witnesses[0] ?? null,
  };
}

/** `before -> after (-x%)`. */
function change(before: number, after: number, unit = ''): string {
  const pct =
    before === after
      ? ' (same)'
      : before === 0
        ? ''
        : ` (${after < before ? '-' : '+'}${fmtFixed(Math.abs(1 - after / before) * 100, 1)}%)`;
  return `${fmtInt(before)}${unit} -> ${fmtInt(after)}${unit}${pct}`;
}

/** The human answer: how much smaller, the minimal scenario, its witness. Ends with a newline. */
export function formatShrink(input: unknown, result: ShrinkResult, elapsedMs: number): string {
  const b = result.before;
  const a = result.after;
  return (
    [
      `tlbsim shrink: ${result.violationClass} kept, ${fmtInt(result.runs)} runs in ${fmtFixed(elapsedMs / 1000, 1)} s`,
      ...alignPairs([
        ['VMs', change(b.vms, a.vms)],
        ['vCPUs', change(b.vcpus, a.vcpus)],
        ['accesses', `${change(b.accesses, a.accesses)} until the first violation`],
        ['events', change(b.events, a.events)],
        ['simulated time', change(b.simulatedNs, a.simulatedNs, ' ns')],
        ['witness', change(b.witnessEvents, a.witnessEvents, ' events')],
      ]),
      '',
      '--- minimal scenario ---',
      minimalScenarioYaml(input, result).trimEnd(),
      '---',
      '',
      formatFirstViolation(result.report).trimEnd(),
    ].join('\n') + '\n'
  );
}
