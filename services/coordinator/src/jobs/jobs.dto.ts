import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATES, JobState, SCENARIO_LIMITS } from '@tlbsim/contracts';
import { POLICY_NAMES } from '@tlbsim/sim-core';
import { IntegerFromString } from '../common/integer.transform';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Body of `POST /api/jobs/:id/resize`. */
export class ResizeJobDto {
  @ApiProperty({
    description:
      'Shards to run on from the next window barrier on (the job snapshots, is re-partitioned and resumes; the digest does not change). ' +
      "At most the job's actors.",
    minimum: 1,
    maximum: SCENARIO_LIMITS['run.shards'].max,
    example: 4,
  })
  @IsInt()
  @Min(1)
  @Max(SCENARIO_LIMITS['run.shards'].max)
  shards!: number;
}

const SCENARIO_EXAMPLE = {
  name: 'hyperv-svm-root-reuse',
  kvm: { policy: 'overhaul' },
  workload: { accessesPerVcpu: 20000 },
};
/** What an override must look like: `dotted.path=value`. */
export const OVERRIDE_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]*=/;

/**
 * The scenario part of a submission: a scenario object or the name of a
 * shipped one, then CLI-like overrides, applied in order: `overrides`, then
 * `seed`, `policy`, `shards` (as `tlbsim run --set ... --seed --policy --shards`).
 */
export class ScenarioSourceDto {
  @ApiPropertyOptional({
    description:
      'The scenario (same keys as a scenario YAML file; missing keys take their defaults). Either this or `scenarioName`.',
    type: 'object',
    additionalProperties: true,
    example: SCENARIO_EXAMPLE,
  })
  @IsOptional()
  @IsObject()
  scenario?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'A shipped scenario (see GET /api/scenarios), used when `scenario` is absent.',
    example: 'hyperv-svm-root-reuse',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
  @MaxLength(100)
  scenarioName?: string;

  @ApiPropertyOptional({
    description: 'Overrides `dotted.path=value`, applied in order, like the CLI `--set`.',
    type: [String],
    example: ['fleet.hosts=2', 'workload.accessesPerVcpu=20000'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  @Matches(OVERRIDE_PATTERN, { each: true, message: 'each value in overrides must look like dotted.path=value' })
  overrides?: string[];

  @ApiPropertyOptional({
    description: 'Shorthand for the override `seed=N`.',
    minimum: 0,
    maximum: SCENARIO_LIMITS.seed.max,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(0)
  @Max(SCENARIO_LIMITS.seed.max)
  seed?: number;

  @ApiPropertyOptional({
    description: 'Number of shards (workers share a run); shorthand for `run.shards=N`.',
    minimum: 1,
    maximum: SCENARIO_LIMITS['run.shards'].max,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(SCENARIO_LIMITS['run.shards'].max)
  shards?: number;
}

/** Body of `POST /api/jobs` (JSON). */
export class SubmitJobDto extends ScenarioSourceDto {
  @ApiPropertyOptional({ description: 'Flush policy; shorthand for `kvm.policy=P`.', enum: POLICY_NAMES })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  policy?: string;
}

/** Body of `POST /api/compare`: one job per policy, grouped. */
export class CompareJobsDto extends ScenarioSourceDto {
  @ApiProperty({
    description: 'Policies to run the scenario under.',
    enum: POLICY_NAMES,
    isArray: true,
    example: ['overhaul', 'overhaul+hv-flush-current'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(POLICY_NAMES.length)
  @ArrayUnique()
  @IsIn(POLICY_NAMES, { each: true })
  policies!: string[];

  @ApiPropertyOptional({
    description:
      "Replications per policy; shorthand for `run.replications=N`. Above 1 the compare is one job of points on the workers (each policy on each seed derived from the scenario's), with 95% intervals.",
    minimum: 1,
    maximum: SCENARIO_LIMITS['run.replications'].max,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(SCENARIO_LIMITS['run.replications'].max)
  replications?: number;
}

/** Query of `GET /api/jobs`. */
export class ListJobsQueryDto {
  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  groupId?: string;
}
