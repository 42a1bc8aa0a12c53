import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HUNT_LIMITS, SHRINK_LIMITS } from '@tlbsim/contracts';
import { VIOLATION_CLASSES } from '@tlbsim/sim-core';
import {
  ArrayMaxSize,
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
import { IntegerFromString } from '../common/integer.transform';
import { SubmitJobDto } from '../jobs/jobs.dto';

/** Body of `POST /api/hunts`: a scenario and what to vary, like `tlbsim hunt`. */
export class SubmitHuntDto extends SubmitJobDto {
  @ApiProperty({
    description:
      "Keys to vary, `dotted.key=min..max` (a numeric range within the key's limits) or `dotted.key=a,b,c` (like `--vary`); the seed is always varied.",
    type: [String],
    example: ['platform.enlightenedTlb=false,true', 'fleet.vcpusPerVm=1..2'],
    maxItems: HUNT_LIMITS.varyKeysMax,
  })
  @IsArray()
  @ArrayMaxSize(HUNT_LIMITS.varyKeysMax)
  @IsString({ each: true })
  @MaxLength(4000, { each: true })
  @Matches(/^[A-Za-z_][A-Za-z0-9_.]*=/, {
    each: true,
    message: 'each value in vary must look like dotted.key=min..max or dotted.key=a,b,c',
  })
  vary!: string[];

  @ApiPropertyOptional({
    description: 'Most runs (default 100 unless `time` is given).',
    minimum: 1,
    maximum: HUNT_LIMITS.budgetMax,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(HUNT_LIMITS.budgetMax)
  budget?: number;

  @ApiPropertyOptional({
    description: `Most wall time, e.g. \`30s\`, \`10m\`, \`1h\` (like \`--time\`; at most ${HUNT_LIMITS.timeMaxMs / 3_600_000}h).`,
    example: '10m',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  time?: string;

  @ApiPropertyOptional({
    description: 'Seed of the search itself: the same seed tries the same runs.',
    default: 1,
    minimum: 0,
    maximum: 0xffffffff,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(0)
  @Max(0xffffffff)
  huntSeed?: number;

  @ApiPropertyOptional({ description: 'Hunt only this violation class (default: any).', enum: VIOLATION_CLASSES })
  @IsOptional()
  @IsIn(VIOLATION_CLASSES)
  class?: string;
}

/** Body of `POST /api/shrinks`: a scenario with a violation, like `tlbsim shrink`. */
export class SubmitShrinkDto extends SubmitJobDto {
  @ApiPropertyOptional({
    description: 'The violation class to keep (default: that of the first violation).',
    enum: VIOLATION_CLASSES,
  })
  @IsOptional()
  @IsIn(VIOLATION_CLASSES)
  class?: string;

  @ApiPropertyOptional({
    description: 'Other seeds tried once the keys are shrunk.',
    default: SHRINK_LIMITS.seedsDefault,
    minimum: 0,
    maximum: SHRINK_LIMITS.seedsMax,
  })
  @IsOptional()
  @IntegerFromString()
  @IsInt()
  @Min(0)
  @Max(SHRINK_LIMITS.seedsMax)
  seeds?: number;
}
