import { Body, Controller, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SweepView } from '@tlbsim/contracts';
import type { Request, Response } from 'express';
import { EventsEndpoint, GetOneEndpoint, ListEndpoint, SubmitEndpoint } from '../common/endpoint.decorators';
import { SweepEventsService } from './sweep-events.service';
import { ListSweepsQueryDto, SubmitSweepDto } from './sweeps.dto';
import { SweepPage } from './sweeps.port';
import { SweepsApiService } from './sweeps.service';

const VIEW =
  '`{ id, name, state, createdAt, finishedAt, gridKeys, policies, seeds, points, pointsDone, pointsPerSec, error, rows }`';

/** What the event streams of sweeps, hunts and shrinks carry (for the OpenAPI document). */
export const SWEEP_EVENTS_DESCRIPTION =
  'Each message: `id` = stream id, `data` = `{ id, type, at, sweepId, kind, pointsDone, points, pointsMax, pointsPerSec, best, error? }`: ' +
  '`progress` after each point, then `completed` or `failed`, after which the stream ends. Resumable with Last-Event-ID.';

/** Sweeps: the cross product of a grid, policies and seeds, spread over the workers. */
@ApiTags('sweeps')
@Controller('api/sweeps')
export class SweepsController {
  constructor(
    private readonly sweeps: SweepsApiService,
    private readonly events: SweepEventsService,
  ) {}

  /** Plans and queues a sweep. */
  @SubmitEndpoint(
    'Submit a sweep',
    'Same scenario fields as `POST /api/jobs`, plus `grid`, `policies`, `seeds`. Each point runs in process on a worker.',
    { description: VIEW },
    'Invalid scenario, grid or policy, or a sweep over the size limit: `details` names each',
  )
  submit(@Body() body: SubmitSweepDto): Promise<SweepView> {
    return this.sweeps.submit(body);
  }

  /** Sweeps, newest first. */
  @ListEndpoint({ description: '`{ items, total }` (items without rows)' })
  list(@Query() query: ListSweepsQueryDto): Promise<SweepPage> {
    return this.sweeps.list(query);
  }

  /** One sweep and its finished rows. */
  @GetOneEndpoint({ description: VIEW })
  get(@Param('id') id: string): Promise<SweepView> {
    return this.sweeps.get(id);
  }

  /** Server-Sent Events: the sweep's progress (points done, points/s, best so far) and its end. */
  @EventsEndpoint('Follow a sweep (SSE)', SWEEP_EVENTS_DESCRIPTION)
  follow(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.events.stream('sweep', id, lastEventId, req, res);
  }
}
