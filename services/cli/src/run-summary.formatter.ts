import { scenarioToYaml } from '@tlbsim/contracts';
import type { RunReport, RunSummary } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { alignPairs, fmtFixed, fmtInt } from './format.util';

/**
 * The run summary at the end of a report, like a hardware simulator's
 * stats dump: host seconds, simulated time, accesses per host second and
 * the resolved scenario. Host time is measured here, around the run, never
 * inside the kernel, and never enters the digest.
 */

/**
 * The summary of `report`.
 * @param hostMs - wall-clock ms of the run on the host, or null when not known
 * @param config - the resolved scenario, or null when not known
 */
export function runSummaryOf(report: RunReport, hostMs: number | null, config: SimConfig | null): RunSummary {
  const hostSeconds = hostMs === null ? null : Math.round(Math.max(0, hostMs)) / 1000;
  return {
    hostSeconds,
    simulatedMs: report.metrics.simulatedNs / 1e6,
    accessesPerHostSec: hostSeconds ? Math.round(report.metrics.accesses / hostSeconds) : null,
    config,
  };
}

/** Wall-clock ms between two ISO times (a job's start and end), or null when either is missing. */
export function hostMsBetween(startIso: string | null, endIso: string | null): number | null {
  if (!startIso || !endIso) return null;
  const ms = Date.parse(endIso) - Date.parse(startIso);
  return Number.isFinite(ms) ? ms : null;
}

/** The resolved scenario as YAML that `tlbsim run` accepts (`--print-config`, and the summary's last part). */
export function configYaml(config: SimConfig): string {
  return scenarioToYaml(config);
}

/** The summary as the text report's last section. */
export function formatRunSummary(s: RunSummary): string {
  const speed =
    s.accessesPerHostSec === null ? 'not known' : `${fmtInt(s.accessesPerHostSec)} simulated accesses per host second`;
  const lines = [
    '',
    'Run summary',
    ...alignPairs([
      ['host time', s.hostSeconds === null ? 'not known' : `${fmtFixed(s.hostSeconds, 3)} s`],
      ['simulated time', `${fmtFixed(s.simulatedMs, 3)} ms`],
      ['speed', speed],
      [
        'configuration',
        s.config ? 'the scenario after defaults and overrides (--print-config prints it alone):' : 'not known',
      ],
    ]),
  ];
  if (s.config)
    lines.push(
      ...configYaml(s.config)
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
    );
  return `${lines.join('\n')}\n`;
}
