import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { LongLived } from '../common/long-lived.decorator';
import { ListJobsQueryDto } from '../jobs/jobs.dto';
import { LiveService } from './live.service';

/** The dashboard's live feed. */
@ApiTags('live')
@Controller('api/live')
export class LiveController {
  constructor(private readonly live: LiveService) {}

  /** SSE: `{ jobs: JobPage, workers: WorkerInfo[] }` whenever it changes. */
  @Get()
  @SkipThrottle()
  @LongLived()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Live jobs page and workers (Server-Sent Events)' })
  stream(@Query() query: ListJobsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.live.stream(query, req, res);
  }
}
