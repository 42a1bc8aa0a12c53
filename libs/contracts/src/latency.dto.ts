import type { LatencyConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Message latencies (the smallest of ipiNs, hypercallNs and kvmRequestNs is the lookahead) and the
 * root free delay. Mirrors `LatencyConfig` of `@tlbsim/sim-core`. Each key's type, unit, default,
 * range and meaning are declared once, in `SCENARIO_KEYS.latency` (scenario.keys.ts); the decorator
 * derives the validation and the JSON Schema from it.
 */
export class LatencyDto implements LatencyConfig {
  @ScenarioField('latency.ipiNs') ipiNs!: number;
  @ScenarioField('latency.hypercallNs') hypercallNs!: number;
  @ScenarioField('latency.kvmRequestNs') kvmRequestNs!: number;
  @ScenarioField('latency.rootFreeNs') rootFreeNs!: number;
}
