import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { JobsPort } from '../jobs/jobs.port';
import { withDeadline } from '../common/deadline.util';

/**
 * Terminus indicators backed by the job store: Redis reachability and live
 * workers. Each answers within the probe deadline, so `/health` says 503
 * naming Redis promptly instead of hanging while Redis is gone.
 */
@Injectable()
export class JobsStoreHealth {
  constructor(
    private readonly port: JobsPort,
    private readonly health: HealthIndicatorService,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /** `redis`: up if Redis answers PING within the probe deadline. */
  async redis(): Promise<HealthIndicatorResult> {
    const check = this.health.check('redis');
    if (!this.port.reachable()) return check.down({ message: 'Redis is unreachable' });
    const ms = this.options.probeDeadlineMs;
    const ok = await withDeadline(this.port.ping(), ms).catch(() => false);
    return ok ? check.up() : check.down({ message: `Redis did not answer PING within ${ms} ms` });
  }

  /** `workers`: live workers, their capacity, busy slots and the slots jobs demand (up even with none: jobs then wait). */
  async workers(): Promise<HealthIndicatorResult> {
    const check = this.health.check('workers');
    if (!this.port.reachable()) return check.down({ message: 'unknown: Redis is unreachable' });
    try {
      const [workers, demand] = await withDeadline(
        Promise.all([this.port.workers(), this.port.slotDemand()]),
        this.options.probeDeadlineMs,
      );
      return check.up({
        live: workers.length,
        capacity: workers.reduce((n, w) => n + w.capacity, 0),
        busy: workers.reduce((n, w) => n + w.busy, 0),
        // Slots admitted and waiting jobs need: the autoscaler's target (deploy/k8s).
        demand: demand.total,
      });
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
