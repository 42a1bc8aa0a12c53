import { stringify } from 'yaml';

/**
 * A scenario (as written, or a validated `SimConfig`) as YAML text that
 * {@link parseScenarioText} reads back to the same value; used for the
 * scenarios `tlbsim hunt` and `tlbsim shrink` print and save.
 */
export function scenarioToYaml(scenario: unknown): string {
  return stringify(scenario);
}
