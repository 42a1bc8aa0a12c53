import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HuntResult } from '@tlbsim/engine';
import type { SearchView } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { EventsEndpoint, GetOneEndpoint, SubmitEndpoint } from '../common/endpoint.decorators';
import { SweepEventsService } from '../sweeps/sweep-events.service';
import { SWEEP_EVENTS_DESCRIPTION } from '../sweeps/sweeps.controller';
import { SubmitHuntDto } from './searches.dto';
import { SearchesApiService } from './searches.service';

/** The JSON of a hunt or shrink, for the OpenAPI document. */
export const SEARCH_VIEW =
  '`{ id, kind, name, state, createdAt, finishedAt, points, pointsDone, pointsPerSec, runs, best, error, errors, result }`';

/** Hunts: searches for a violating configuration, as batches of runs spread over the workers. */
@ApiTags('hunts')
@Controller('api/hunts')
export class HuntsController {
  constructor(
    private readonly searches: SearchesApiService,
    private readonly events: SweepEventsService,
  ) {}

  /** Checks and queues a hunt. */
  @SubmitEndpoint(
    'Submit a hunt',
    'Same scenario fields as `POST /api/jobs`, plus `vary`, `budget`, `time`, `huntSeed`, `class` (like `tlbsim hunt`). Runs go to the workers in batches; ' +
      '`result` (once completed) is what `tlbsim hunt` finds in process for the same hunt seed: `{ found, runs, rejected, elapsedMs, runsPerSec, overrides, config, report, coverage }`.',
    { description: SEARCH_VIEW },
    'Invalid scenario, varied key, budget or time: `details` names each field and its limit',
  )
  submit(@Body() body: SubmitHuntDto): Promise<SearchView<HuntResult>> {
    return this.searches.submitHunt(body);
  }

  /** One hunt: progress, the closest run so far, the result once completed. */
  @GetOneEndpoint({ description: SEARCH_VIEW })
  get(@Param('id') id: string): Promise<SearchView<HuntResult>> {
    return this.searches.get<HuntResult>('hunt', id);
  }

  /** Server-Sent Events: the hunt's progress (runs done, runs/s, closest run so far) and its end. */
  @EventsEndpoint('Follow a hunt (SSE)', SWEEP_EVENTS_DESCRIPTION)
  follow(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.events.stream('hunt', id, lastEventId, req, res);
  }
}
