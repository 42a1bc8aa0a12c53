import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { JobView } from '@tlbsim/contracts';
import type { SensitivityRun } from '@tlbsim/engine';
import { Submission } from '../common/submission.decorator';
import { ApiErrorDto, CompareGroupDto } from './job-view.dto';
import { CompareJobsDto } from './jobs.dto';
import { CompareApiService, CompareView } from './compare.service';

/** Compares: one job per policy on the same scenario, or with replications one compare job of points on the workers. */
@ApiTags('compare')
@Controller('api/compare')
export class CompareController {
  constructor(private readonly compares: CompareApiService) {}

  /** Queues one job per policy, grouped; with replications (run.replications > 1), one compare job of points. */
  @Post()
  @Submission()
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Compare policies: one job per policy on the same scenario; with `replications` (or the override run.replications) > 1, ' +
      'one compare job whose points (each policy on each replication seed) run side by side on the workers (`jobs` is then empty)',
  })
  @ApiCreatedResponse({ type: CompareGroupDto })
  @ApiBadRequestResponse({ type: ApiErrorDto })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  @ApiTooManyRequestsResponse({ type: ApiErrorDto })
  compare(@Body() body: CompareJobsDto): Promise<{ groupId: string; jobs: JobView[]; replications: number }> {
    return this.compares.submit(body);
  }

  /** The jobs of a group (in the order of the policies given) and the reports of those finished, with the figures of `tlbsim compare`. */
  @Get(':groupId')
  @ApiOkResponse({
    description:
      '`{ groupId, kind: "jobs"|"points", policies, jobs: JobView[], results: (RunReport|null)[], replications, seeds, points?, overheadVsFirst, timeOverheadVsFirst, timeOverheadVsFirstCi95, timeOverheadVsFirstConverged, timePerAccessNs: (number|null)[], estimates: ComparisonEstimates|null, cheapestCorrect: string|null, cheapestWithoutViolation: string|null, verdicts: (ClassVerdict[]|null)[] }`, ' +
      "`results` are the first replication's reports; with replications the figures are means over every seed (paired overheads) once all finished, `estimates` has their 95% intervals and convergence; " +
      'in the order of the policies given: the first is the baseline of the overheads (percent; null until both jobs finished); ' +
      '`cheapestCorrect` names only a policy with no violation whose run exposed every violation class (`verdicts`: violations in N exposures per class)',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  group(@Param('groupId') groupId: string): Promise<CompareView> {
    return this.compares.view(groupId);
  }

  /** Starts the sensitivity of a finished compare: its re-runs as compare jobs on the workers. */
  @Post(':groupId/sensitivity')
  @Submission()
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Sensitivity of the verdict: each unsourced cost parameter tried over its range (docs/costs.md "Sensitivity"), break-even values by bisection; ' +
      're-runs are compare jobs on the workers, the parameters side by side; returns the analysis running (or the one already started)',
  })
  @ApiCreatedResponse({
    description:
      '`{ groupId, state: "running"|"completed"|"failed", verdict, reruns, params: ParamSensitivity[]|null, error }`',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ type: ApiErrorDto, description: 'the compare has not finished' })
  startSensitivity(@Param('groupId') groupId: string): Promise<SensitivityRun | undefined> {
    return this.compares.startSensitivity(groupId);
  }

  /** The sensitivity of a compare: running, or its result per parameter. */
  @Get(':groupId/sensitivity')
  @ApiOkResponse({
    description:
      '`{ groupId, state, verdict, reruns, params: [{ parameter, value, range: [a, b], why, holds, flips: [{ toward, verdict, breakEven, between }], evaluations }]|null, error }`',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  sensitivity(@Param('groupId') groupId: string): SensitivityRun {
    return this.compares.sensitivityOf(groupId);
  }
}
