import type { FactoryProvider } from '@nestjs/common';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { JobsPort } from './jobs.port';

/**
 * Builds the real job store (`JobsService` of `@tlbsim/jobs`). Loaded lazily
 * so the coordinator's own code never depends on the BullMQ implementation.
 */
export function createJobsPort(options: CoordinatorOptions): JobsPort {
  if (options.jobs) return options.jobs;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('@tlbsim/jobs') as { JobsService?: new (o: { redisUrl: string; prefix?: string }) => JobsPort };
  if (!lib.JobsService) throw new Error('@tlbsim/jobs does not export JobsService (is it built?)');
  return new lib.JobsService({ redisUrl: options.redisUrl, prefix: options.prefix });
}

/** Provides {@link JobsPort}. */
export const JOBS_PORT_PROVIDER: FactoryProvider<JobsPort> = {
  provide: JobsPort,
  useFactory: createJobsPort,
  inject: [COORDINATOR_OPTIONS],
};
