import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { SWEEP_LIMITS } from '@tlbsim/contracts';
import { POLICY_NAMES } from '@tlbsim/sim-core';
import { IntegerFromString } from '../common/integer.transform';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ListJobsQueryDto, ScenarioSourceDto } from '../jobs/jobs.dto';

/** Body of `POST /api/sweeps`: a scenario, a grid, policies and seeds, like `tlbsim sweep`. */
export class SubmitSweepDto extends ScenarioSourceDto {
  @ApiProperty({
    description: 'Grid keys and their values, `dotted.key=v1,v2,...` (like `--grid`); the cross product is run.',
    type: [String],
    example: ['events.nestedTransitionsPerSec=0,2000,20000'],
  })
  @IsArray()
  @ArrayMaxSize(SWEEP_LIMITS.gridKeysMax)
  @IsString({ each: true })
  @MaxLength(4000, { each: true })
  @Matches(/^[A-Za-z_][A-Za-z0-9_.]*=/, {
    each: true,
    message: 'each value in grid must look like dotted.key=v1,v2,...',
  })
  grid!: string[];

  @ApiPropertyOptional({
    description:
      "Policies of each grid point; the first is the baseline of `overheadVsFirst` (default: the scenario's policy).",
    enum: POLICY_NAMES,
    isArray: true,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(POLICY_NAMES.length)
  @ArrayUnique()
  @IsIn(POLICY_NAMES, { each: true })
  policies?: string[];

  @ApiPropertyOptional({
    description: "Seeds per point: the scenario's seed, seed+1, ...",
    default: 1,
    minimum: 1,
    maximum: SWEEP_LIMITS.seedsMax,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(SWEEP_LIMITS.seedsMax)
  seeds?: number;
}

/** Query of `GET /api/sweeps`: the paging of `GET /api/jobs`. */
export class ListSweepsQueryDto extends PickType(ListJobsQueryDto, ['offset', 'limit'] as const) {}
