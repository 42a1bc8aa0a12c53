import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { JobView } from '@tlbsim/contracts';
import { Submission } from '../common/submission.decorator';
import { ApiErrorDto, CompareGroupDto } from './job-view.dto';
import { CompareJobsDto } from './jobs.dto';
import { CompareView, JobsApiService } from './jobs.service';

/** Compare groups: one job per policy on the same scenario. */
@ApiTags('compare')
@Controller('api/compare')
export class CompareController {
  constructor(private readonly jobs: JobsApiService) {}

  /** Queues one job per policy, grouped. */
  @Post()
  @Submission()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Compare policies: one job per policy on the same scenario' })
  @ApiCreatedResponse({ type: CompareGroupDto })
  @ApiBadRequestResponse({ type: ApiErrorDto })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  @ApiTooManyRequestsResponse({ type: ApiErrorDto })
  compare(@Body() body: CompareJobsDto): Promise<{ groupId: string; jobs: JobView[] }> {
    return this.jobs.compare(body);
  }

  /** The jobs of a group (in the order of the policies given) and the reports of those finished, with the figures of `tlbsim compare`. */
  @Get(':groupId')
  @ApiOkResponse({
    description:
      '`{ groupId, jobs: JobView[], results: (RunReport|null)[], overheadVsFirst, timeOverheadVsFirst, timePerAccessNs: (number|null)[], cheapestCorrect: string|null, cheapestWithoutViolation: string|null, verdicts: (ClassVerdict[]|null)[] }`, ' +
      'in the order of the policies given: the first is the baseline of the overheads (percent; null until both jobs finished); ' +
      '`cheapestCorrect` names only a policy with no violation whose run exposed every violation class (`verdicts`: violations in N exposures per class)',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  group(@Param('groupId') groupId: string): Promise<CompareView> {
    return this.jobs.compareView(groupId);
  }
}
