import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { MetricsRoute } from '../common/route-access.decorator';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint, behind the metrics token (not the API token) when one is set. */
@ApiTags('ops')
@MetricsRoute()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Metrics in the Prometheus text format. */
  @Get()
  @SkipThrottle()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.contentType).send(await this.metrics.render());
  }
}
