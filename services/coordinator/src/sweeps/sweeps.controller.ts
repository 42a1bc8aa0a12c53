import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags,
  ApiTooManyRequestsResponse, ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { SweepView } from '@tlbsim/contracts';
import { Submission } from '../common/submission.decorator';
import { ApiErrorDto } from '../jobs/job-view.dto';
import { ListSweepsQueryDto, SubmitSweepDto } from './sweeps.dto';
import { SweepPage } from './sweeps.port';
import { SweepsApiService } from './sweeps.service';

const VIEW = '`{ id, name, state, createdAt, finishedAt, gridKeys, policies, seeds, points, pointsDone, pointsPerSec, error, rows }`';

/** Sweeps: the cross product of a grid, policies and seeds, spread over the workers. */
@ApiTags('sweeps')
@Controller('api/sweeps')
export class SweepsController {
  constructor(private readonly sweeps: SweepsApiService) {}

  /** Plans and queues a sweep. */
  @Post()
  @Submission()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Submit a sweep', description: 'Same scenario fields as `POST /api/jobs`, plus `grid`, `policies`, `seeds`. Each point runs in process on a worker.' })
  @ApiCreatedResponse({ description: VIEW })
  @ApiBadRequestResponse({ type: ApiErrorDto, description: 'Invalid scenario, grid or policy, or a sweep over the size limit: `details` names each' })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  @ApiTooManyRequestsResponse({ type: ApiErrorDto })
  submit(@Body() body: SubmitSweepDto): Promise<SweepView> {
    return this.sweeps.submit(body);
  }

  /** Sweeps, newest first. */
  @Get()
  @ApiOkResponse({ description: '`{ items, total }` (items without rows)' })
  list(@Query() query: ListSweepsQueryDto): Promise<SweepPage> {
    return this.sweeps.list(query);
  }

  /** One sweep and its finished rows. */
  @Get(':id')
  @ApiOkResponse({ description: VIEW })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  get(@Param('id') id: string): Promise<SweepView> {
    return this.sweeps.get(id);
  }
}
