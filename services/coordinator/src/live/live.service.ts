import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JobPage, WorkerInfo } from '@tlbsim/contracts';
import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'timers/promises';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { SseHub } from '../http/sse.hub';
import { ListJobsQueryDto } from '../jobs/jobs.dto';
import { JobsPort } from '../jobs/jobs.port';

/** One frame of the live feed. */
export interface LiveSnapshot {
  jobs: JobPage;
  workers: WorkerInfo[];
}

/**
 * The dashboard's live feed: one SSE stream per browser tab with the jobs
 * page and the workers, sent whenever they change (checked every
 * `livePeriodMs`). One stream for the whole list keeps browsers under their
 * per-origin connection limit, however many jobs run.
 */
@Injectable()
export class LiveService {
  private readonly logger = new Logger(LiveService.name);

  constructor(
    private readonly port: JobsPort,
    private readonly hub: SseHub,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /** A snapshot of the jobs page `query` and the workers. */
  async snapshot(query: ListJobsQueryDto): Promise<LiveSnapshot> {
    const [jobs, workers] = await Promise.all([
      this.port.list({
        offset: query.offset ?? 0,
        limit: query.limit ?? 50,
        state: query.state,
        groupId: query.groupId,
      }),
      this.port.workers(),
    ]);
    return { jobs, workers };
  }

  /** Streams snapshots until the client leaves. */
  async stream(query: ListJobsQueryDto, req: Request, res: Response): Promise<void> {
    const sse = this.hub.open(req, res, 'live');
    let last = '';
    let quiet = 0;
    try {
      while (sse.isOpen) {
        const text = JSON.stringify(await this.snapshot(query));
        if (text !== last) {
          sse.send(JSON.parse(text) as LiveSnapshot);
          last = text;
          quiet = 0;
        } else if (++quiet % 15 === 0) sse.keepAlive();
        await sleep(this.options.livePeriodMs);
      }
    } catch (error) {
      if (!this.hub.isClosing)
        this.logger.warn(`live feed stopped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      sse.end();
    }
  }
}
