import type { EventsConfig } from '@tlbsim/sim-core';
import { ScenarioField } from './scenario-field.decorator';

/**
 * Per-host event rates in simulated time. Mirrors `EventsConfig` of `@tlbsim/sim-core`. Each key's
 * type, unit, default, range and meaning are declared once, in `SCENARIO_KEYS.events`
 * (scenario.keys.ts); the decorator derives the validation and the JSON Schema from it.
 */
export class EventsDto implements EventsConfig {
  @ScenarioField('events.memslotUpdatesPerSec') memslotUpdatesPerSec!: number;
  @ScenarioField('events.mmuNotifierInvalidationsPerSec') mmuNotifierInvalidationsPerSec!: number;
  @ScenarioField('events.mmuNotifierPages') mmuNotifierPages!: number;
  @ScenarioField('events.nestedTransitionsPerSec') nestedTransitionsPerSec!: number;
  @ScenarioField('events.cr4WritesPerSec') cr4WritesPerSec!: number;
  @ScenarioField('events.cr0WpTogglesPerSec') cr0WpTogglesPerSec!: number;
  @ScenarioField('events.smiPerSec') smiPerSec!: number;
  @ScenarioField('events.smmDurationUs') smmDurationUs!: number;
  @ScenarioField('events.memslotDeletesPerSec') memslotDeletesPerSec!: number;
  @ScenarioField('events.memslotDeletePages') memslotDeletePages!: number;
  @ScenarioField('events.vcpuMigrationsPerSec') vcpuMigrationsPerSec!: number;
}
