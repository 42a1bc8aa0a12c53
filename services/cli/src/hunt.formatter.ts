import { applyOverrides, scenarioToYaml } from '@tlbsim/contracts';
import type { HuntResult, Witness } from '@tlbsim/engine';
import { fmtFixed, fmtInt } from './format.util';
import { formatFirstViolation } from './report.formatter';

/** What `tlbsim hunt --json` prints. */
export interface HuntJson {
  found: boolean;
  runs: number;
  rejected: number;
  runsPerSec: number;
  elapsedMs: number;
  /** The failing scenario as written: the file with the failing run's overrides applied. */
  scenario: unknown;
  overrides: string[] | null;
  /** The first violation's witness, or null. */
  witness: Witness | null;
  coverage: HuntResult['coverage'];
}

/** The failing scenario as written: the input with the failing run's overrides applied. */
export function failingScenario(input: unknown, result: HuntResult): unknown {
  return result.overrides ? applyOverrides(input, result.overrides) : null;
}

/** The failing scenario as a YAML file that reproduces the violation. */
export function failingScenarioYaml(input: unknown, result: HuntResult, huntSeed: number): string {
  const head = `# Found by tlbsim hunt (run ${result.runs}, hunt seed ${huntSeed}).\n# Reproduce: tlbsim run <this file> --stop-at-first-violation\n`;
  return head + scenarioToYaml(failingScenario(input, result));
}

/** The `--json` object. */
export function huntJson(input: unknown, result: HuntResult): HuntJson {
  return {
    found: result.found,
    runs: result.runs,
    rejected: result.rejected,
    runsPerSec: result.runsPerSec,
    elapsedMs: result.elapsedMs,
    scenario: failingScenario(input, result),
    overrides: result.overrides,
    witness: result.report?.violations.witnesses[0] ?? null,
    coverage: result.coverage,
  };
}

/** The human answer: the failing scenario and its witness, or "no violation in N runs" with the coverage reached. Ends with a newline. */
export function formatHunt(input: unknown, result: HuntResult, huntSeed: number): string {
  const rate = `${fmtInt(result.runs)} runs in ${fmtFixed(result.elapsedMs / 1000, 1)} s (${fmtFixed(result.runsPerSec, 1)} runs/s)`;
  const c = result.coverage;
  const coverage =
    `coverage: roots reused ${fmtInt(c.rootsReused)} (in ${fmtInt(c.runsWithRootReuse)} runs), pages reused by another VM ${fmtInt(c.rootsReusedByOtherVm)}, ` +
    `hypercalls ${fmtInt(c.hypercalls)}, stale hits ${fmtInt(c.staleHits)}`;
  if (!result.found || !result.report) return `tlbsim hunt: no violation in ${rate}\n${coverage}\n`;
  const cls = result.report.violations.witnesses[0]?.class ?? 'violation';
  return (
    [
      `tlbsim hunt: ${cls} found after ${rate}`,
      coverage,
      '',
      '--- failing scenario ---',
      failingScenarioYaml(input, result, huntSeed).trimEnd(),
      '---',
      '',
      formatFirstViolation(result.report).trimEnd(),
    ].join('\n') + '\n'
  );
}
