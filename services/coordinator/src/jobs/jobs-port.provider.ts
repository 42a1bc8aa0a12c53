import { createJobsService } from '@tlbsim/jobs';
import { storePortProvider } from '../common/store-port.provider';
import { JobsPort } from './jobs.port';

/** Provides {@link JobsPort}: the store given in the options (tests), else the `JobsService` that `createJobsService` of `@tlbsim/jobs` builds on `redisUrl`. */
export const JOBS_PORT_PROVIDER = storePortProvider<JobsPort>(JobsPort, (o) => o.jobs, createJobsService);
