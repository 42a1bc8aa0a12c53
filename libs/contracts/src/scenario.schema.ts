import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { SCENARIO_DEFAULTS } from './scenario.defaults';
import { ScenarioDto } from './scenario.dto';
import { CostsDto } from './costs.dto';
import { EventsDto } from './events.dto';
import { FleetDto } from './fleet.dto';
import { KvmDto } from './kvm.dto';
import { LatencyDto } from './latency.dto';
import { PlatformDto } from './platform.dto';
import { RunDto } from './run.dto';
import { TlbDto } from './tlb.dto';
import { WorkloadDto } from './workload.dto';

// class-transformer ships no typings for its storage entry point, only for the source layout.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storage = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');
const { defaultMetadataStorage } = storage;

/** A JSON Schema document (draft-07 subset produced by class-validator-jsonschema). */
export type JsonSchema = Record<string, unknown>;

const GROUP_DTOS = [PlatformDto, KvmDto, FleetDto, TlbDto, WorkloadDto, EventsDto, LatencyDto, CostsDto, RunDto];

/**
 * JSON Schema (draft-07) of a scenario file, generated from the DTO
 * decorators: every field has its `default`, `description` and, for numbers,
 * `minimum`/`maximum` from {@link SCENARIO_LIMITS}. Only `name` is required;
 * unknown keys are rejected (`additionalProperties: false`). Cross-field
 * rules are not expressible here; {@link validateScenario} checks them.
 */
export function scenarioJsonSchema(): JsonSchema {
  const all = validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/definitions/',
  }) as Record<string, JsonSchema>;
  const definitions: Record<string, JsonSchema> = {};
  for (const dto of GROUP_DTOS) {
    const { required: _required, ...rest } = all[dto.name];
    definitions[dto.name] = { ...rest, additionalProperties: false };
  }
  const { required: _required, properties, ...root } = all[ScenarioDto.name];
  const withGroupDefaults: Record<string, JsonSchema> = {};
  for (const [key, prop] of Object.entries(properties as Record<string, JsonSchema>)) {
    const fallback = (SCENARIO_DEFAULTS as unknown as Record<string, unknown>)[key];
    if (typeof fallback !== 'object' || fallback === null || typeof prop.$ref !== 'string') {
      withGroupDefaults[key] = prop;
      continue;
    }
    // draft-07 ignores keywords next to $ref, so the group's description and default wrap it.
    const { $ref, ...annotations } = prop;
    withGroupDefaults[key] = { allOf: [{ $ref }], ...annotations, default: fallback };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://tlbsim.dev/schemas/scenario.json',
    title: 'tlbsim scenario',
    ...root,
    properties: withGroupDefaults,
    required: ['name'],
    additionalProperties: false,
    definitions,
  };
}
