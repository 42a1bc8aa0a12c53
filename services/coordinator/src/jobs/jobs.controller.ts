import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { JobPage, JobView } from '@tlbsim/contracts';
import { RunReport, TRACE_EVENTS_DEFAULT } from '@tlbsim/engine';
import type { Request, Response } from 'express';
import { EventsEndpoint, GetOneEndpoint, ListEndpoint } from '../common/endpoint.decorators';
import { LongLived } from '../common/long-lived.decorator';
import { Submission } from '../common/submission.decorator';
import { YamlBodyInterceptor } from '../common/yaml-body.interceptor';
import { JobEventsService } from './job-events.service';
import { ApiErrorDto, JobEventDto, JobPageDto, JobViewDto } from './job-view.dto';
import { ListJobsQueryDto, ResizeJobDto, SubmitJobDto } from './jobs.dto';
import { JobsApiService } from './jobs.service';
import { JobTraceService, TRACE_REPLAY_ACCESSES_MAX } from './job-trace.service';
import { streamLines } from '../http/ndjson.writer';

/** Jobs: submit, list, inspect, follow, cancel. */
@ApiTags('jobs')
@ApiExtraModels(JobEventDto)
@Controller('api/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsApiService,
    private readonly jobEvents: JobEventsService,
    private readonly traces: JobTraceService,
  ) {}

  /** Validates and queues a run. */
  @Post()
  @Submission()
  @UseInterceptors(YamlBodyInterceptor)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Submit a job',
    description:
      'JSON body: a scenario object (or the name of a shipped one) plus CLI-like overrides. ' +
      'Or a YAML scenario with `Content-Type: application/yaml`, overrides as query parameters (`?set=fleet.hosts=2&set=...&seed=&policy=&shards=`).',
  })
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody({ type: SubmitJobDto })
  @ApiQuery({
    name: 'set',
    required: false,
    isArray: true,
    type: String,
    description: 'YAML bodies only: override dotted.path=value',
  })
  @ApiCreatedResponse({ type: JobViewDto })
  @ApiBadRequestResponse({
    type: ApiErrorDto,
    description: 'Invalid scenario or request: `details` lists every bad field',
  })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  @ApiPayloadTooLargeResponse({ type: ApiErrorDto })
  @ApiTooManyRequestsResponse({ type: ApiErrorDto })
  submit(@Body() body: SubmitJobDto): Promise<JobView> {
    return this.jobs.submit(body);
  }

  /** A page of jobs, newest first. */
  @ListEndpoint({ type: JobPageDto })
  list(@Query() query: ListJobsQueryDto): Promise<JobPage> {
    return this.jobs.list(query);
  }

  /** One job. */
  @GetOneEndpoint({ type: JobViewDto })
  get(@Param('id') id: string): Promise<JobView> {
    return this.jobs.get(id);
  }

  /** The RunReport of a completed job, or the partial one of a cancelled or failed job. */
  @Get(':id/result')
  @ApiOkResponse({
    description:
      'The RunReport (same JSON as `tlbsim run --json`); for a cancelled or failed job the partial report (`partial: true`) of the windows all its shards had done',
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ type: ApiErrorDto, description: 'The job has no result (yet)' })
  result(@Param('id') id: string): Promise<RunReport> {
    return this.jobs.result(id);
  }

  /** Server-Sent Events: the job's event stream, resumable with Last-Event-ID. */
  @EventsEndpoint(
    'Follow a job (SSE)',
    'Each message: `id` = stream id, `data` = a JobEvent. Ends after the final event; a resume after it gets 204.',
  )
  events(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.jobEvents.stream(id, lastEventId, req, res);
  }

  /** NDJSON export of a job: its inputs and events, enough to replay it offline. */
  @Get(':id/export')
  @LongLived()
  @ApiProduces('application/x-ndjson')
  @ApiNotFoundResponse({ type: ApiErrorDto })
  async export(@Param('id') id: string, @Res() res: Response): Promise<void> {
    return streamLines(res, await this.jobs.export(id), `${id}.ndjson`);
  }

  /** The timeline of a completed job, as `tlbsim run --trace-out` writes it (the job replayed here, same digest). */
  @Get(':id/trace')
  @LongLived()
  @ApiProduces('application/json')
  @ApiOperation({
    summary: 'Trace of a completed job',
    description:
      'Chrome trace-event JSON for Perfetto or about://tracing: one track per vCPU, per L0 and per VM MMU, the job replayed in the coordinator from its inputs (same digest). ' +
      `At most ${TRACE_REPLAY_ACCESSES_MAX} guest accesses and ${TRACE_EVENTS_DEFAULT} events; beyond, 413 says how to trace it offline.`,
  })
  @ApiQuery({ name: 'vm', required: false, description: 'only these VMs: fleet-wide numbers, comma-separated' })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ type: ApiErrorDto, description: 'The job did not complete' })
  @ApiPayloadTooLargeResponse({
    type: ApiErrorDto,
    description: 'The job is too big to replay here, or the trace too long',
  })
  async trace(@Param('id') id: string, @Query('vm') vm: string | undefined, @Res() res: Response): Promise<void> {
    const chunks = await this.traces.trace(id, vm);
    res
      .status(200)
      .set({ 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${id}.trace.json"` });
    for (const chunk of chunks) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      if (res.destroyed) return;
    }
    res.end();
  }

  /** Resizes a queued or running job (`tlbsim resize`). */
  @Post(':id/resize')
  @HttpCode(202)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Resize a job',
    description:
      'A running job stops at its next window barrier, is re-partitioned into `shards` shards and queued again (it resumes once that many slots are free), ' +
      "with the digest of an uninterrupted run; a queued job changes at once. The view has the request's events (`resize-requested`, then `resized`).",
  })
  @ApiBody({ type: ResizeJobDto })
  @ApiAcceptedResponse({ type: JobViewDto })
  @ApiBadRequestResponse({
    type: ApiErrorDto,
    description: "`shards` missing, not an integer, or beyond the job's limit: `details` names the field and the limit",
  })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ type: ApiErrorDto, description: 'The job is finished (completed, failed or cancelled)' })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  resize(@Param('id') id: string, @Body() body: ResizeJobDto): Promise<JobView> {
    return this.jobs.resize(id, body);
  }

  /** Cancels a job. */
  @Delete(':id')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: JobViewDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiUnauthorizedResponse({ type: ApiErrorDto })
  cancel(@Param('id') id: string): Promise<JobView> {
    return this.jobs.cancel(id);
  }
}
