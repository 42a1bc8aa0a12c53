import { Injectable } from '@nestjs/common';
import type { WorkerInfo } from '@tlbsim/contracts';
import { JobsPort } from '../jobs/jobs.port';

/** The live worker processes. */
@Injectable()
export class WorkersService {
  constructor(private readonly port: JobsPort) {}

  /** Workers with a recent heartbeat. */
  list(): Promise<WorkerInfo[]> {
    return this.port.workers();
  }
}
