import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobsPort } from '../jobs/jobs.port';

/** Terminus indicators backed by the job store: Redis reachability and live workers. */
@Injectable()
export class JobsStoreHealth {
  constructor(
    private readonly port: JobsPort,
    private readonly health: HealthIndicatorService,
  ) {}

  /** `redis`: up if Redis answers PING. */
  async redis(): Promise<HealthIndicatorResult> {
    const check = this.health.check('redis');
    const ok = await this.port.ping().catch(() => false);
    return ok ? check.up() : check.down({ message: 'redis does not answer' });
  }

  /** `workers`: live workers, their capacity, busy slots and the slots jobs demand (up even with none: jobs then wait). */
  async workers(): Promise<HealthIndicatorResult> {
    const check = this.health.check('workers');
    try {
      const [workers, demand] = await Promise.all([this.port.workers(), this.port.slotDemand()]);
      return check.up({
        live: workers.length, capacity: workers.reduce((n, w) => n + w.capacity, 0), busy: workers.reduce((n, w) => n + w.busy, 0),
        // Slots admitted and waiting jobs need: the autoscaler's target (deploy/k8s).
        demand: demand.total,
      });
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
