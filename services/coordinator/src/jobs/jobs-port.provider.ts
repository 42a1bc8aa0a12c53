import type { FactoryProvider } from '@nestjs/common';
import { JobsService } from '@tlbsim/jobs';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { JobsPort } from './jobs.port';

/** The job store: the one given in the options (tests), else `JobsService` of `@tlbsim/jobs` on `redisUrl`. */
export function createJobsPort(options: CoordinatorOptions): JobsPort {
  if (options.jobs) return options.jobs;
  const service: JobsPort = new JobsService({ redisUrl: options.redisUrl, prefix: options.prefix, retentionSec: options.retentionSec });
  return service;
}

/** Provides {@link JobsPort}. */
export const JOBS_PORT_PROVIDER: FactoryProvider<JobsPort> = {
  provide: JobsPort,
  useFactory: createJobsPort,
  inject: [COORDINATOR_OPTIONS],
};
