import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../common/route-access.decorator';
import { JobsStoreHealth } from './jobs-store.health';

/** Liveness/readiness: 200 when Redis answers, 503 otherwise; reports live workers. Public: probes carry no token. */
@ApiTags('ops')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: JobsStoreHealth,
  ) {}

  /** Redis ping and live workers count. */
  @Get()
  @SkipThrottle()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.store.redis(), () => this.store.workers()]);
  }
}
