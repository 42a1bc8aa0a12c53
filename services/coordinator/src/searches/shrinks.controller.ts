import { Body, Controller, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ShrinkResult } from '@tlbsim/engine';
import type { SearchView } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { EventsEndpoint, GetOneEndpoint, SubmitEndpoint } from '../common/endpoint.decorators';
import { SweepEventsService } from '../sweeps/sweep-events.service';
import { SWEEP_EVENTS_DESCRIPTION } from '../sweeps/sweeps.controller';
import { SEARCH_VIEW } from './hunts.controller';
import { SubmitShrinkDto } from './searches.dto';
import { SearchesApiService } from './searches.service';

/** Shrinks: delta debugging of a violating scenario, as batches of runs spread over the workers. */
@ApiTags('shrinks')
@Controller('api/shrinks')
export class ShrinksController {
  constructor(
    private readonly searches: SearchesApiService,
    private readonly events: SweepEventsService,
  ) {}

  /** Checks and queues a shrink. */
  @SubmitEndpoint(
    'Submit a shrink',
    'Same scenario fields as `POST /api/jobs`, plus `class` and `seeds` (like `tlbsim shrink`). `result` (once completed) is what `tlbsim shrink` gives in process: ' +
      '`{ violationClass, overrides, config, report, before, after, runs }`; a scenario with no violation (of the class) ends `failed` with `errors`.',
    { description: SEARCH_VIEW },
    'Invalid scenario, class or seeds: `details` names each field and its limit',
  )
  submit(@Body() body: SubmitShrinkDto): Promise<SearchView<ShrinkResult>> {
    return this.searches.submitShrink(body);
  }

  /** One shrink: progress, the smallest violating run so far, the result once completed. */
  @GetOneEndpoint({ description: SEARCH_VIEW })
  get(@Param('id') id: string): Promise<SearchView<ShrinkResult>> {
    return this.searches.get<ShrinkResult>('shrink', id);
  }

  /** Server-Sent Events: the shrink's progress and its end. */
  @EventsEndpoint('Follow a shrink (SSE)', SWEEP_EVENTS_DESCRIPTION)
  follow(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.events.stream('shrink', id, lastEventId, req, res);
  }
}
