import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { JobsPort } from './jobs.port';

/** Closes the job store the coordinator built (not one it was given) at shutdown. */
@Injectable()
export class JobsPortLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly port: JobsPort,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /** Nest shutdown hook. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.options.jobs) await this.port.close();
  }
}
