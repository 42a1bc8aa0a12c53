import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { isFinalJobState, JobEvent, JobView } from '@tlbsim/contracts';
import { compareStreamIds, parseStreamId, streamIdBefore } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { badRequest } from '../common/validation.pipe';
import { SseHub, SseStream } from '../http/sse.hub';
import { JobsPort } from './jobs.port';


/** Streams a job's event stream as Server-Sent Events. */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger(JobEventsService.name);

  constructor(
    private readonly port: JobsPort,
    private readonly hub: SseHub,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /**
   * Tails the events of job `id` after `lastEventId` (the SSE Last-Event-ID;
   * none: from the first event) until the job ends or the client leaves.
   * Each event's SSE id is its stream id, so a reconnecting browser resumes
   * where it stopped. A resume after the final event gets 204, which tells
   * `EventSource` not to reconnect again.
   *
   * @throws NotFoundException for an unknown job (404)
   * @throws BadRequestException for a Last-Event-ID that is not a stream id (400)
   */
  async stream(id: string, lastEventId: string | undefined, req: Request, res: Response): Promise<void> {
    const job = await this.port.get(id);
    if (!job) throw new NotFoundException(`no job ${id}`);
    let after = await this.resumeAfter(id, job, lastEventId);
    const first = await this.port.readEvents(id, after, 0, 500);
    if (first.length === 0 && isFinalJobState(job.state) && after !== null) {
      res.status(204).end();
      return;
    }
    const sse = this.hub.open(req, res);
    try {
      after = this.forward(sse, first, after);
      if (!this.ended(first)) await this.tail(sse, id, after);
    } catch (error) {
      if (!this.hub.isClosing) this.logger.warn(`event stream of ${id} stopped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      sse.end();
    }
  }

  /**
   * The stream id to resume after: none without a Last-Event-ID; the given
   * one if it is within the stream; the end of the stream for one beyond it
   * (a stale tab, another deployment), just before the final event if the
   * job ended, so the client still learns how it ended.
   */
  private async resumeAfter(id: string, job: JobView, header: string | undefined): Promise<string | null> {
    const given = header?.trim();
    if (!given) return null;
    const parsed = parseStreamId(given);
    if (!parsed) {
      const shown = given.length > 40 ? `${given.slice(0, 40)}...` : given;
      const message = `Last-Event-ID: expected a stream id such as 1712345678901-0, got ${JSON.stringify(shown)}`;
      throw badRequest(message, [{ path: 'Last-Event-ID', value: shown, constraint: 'streamId', message }]);
    }
    const last = await this.port.lastEventId(id);
    const end = last ? parseStreamId(last) : null;
    if (!end || compareStreamIds(parsed, end) <= 0) return given;
    return isFinalJobState(job.state) ? streamIdBefore(end) : last;
  }

  private async tail(sse: SseStream, id: string, from: string | null): Promise<void> {
    let after = from;
    while (sse.isOpen) {
      const events = await this.port.readEvents(id, after, this.options.sseBlockMs, 500);
      after = this.forward(sse, events, after);
      if (this.ended(events)) return;
      if (events.length === 0) {
        sse.keepAlive();
        const job = await this.port.get(id);
        if (!job || isFinalJobState(job.state)) {
          const rest = await this.port.readEvents(id, after, 0, 500);
          this.forward(sse, rest, after);
          return;
        }
      }
    }
  }

  private forward(sse: SseStream, events: readonly JobEvent[], after: string | null): string | null {
    let last = after;
    for (const event of events) {
      sse.send(event, event.id);
      last = event.id;
    }
    return last;
  }

  private ended(events: readonly JobEvent[]): boolean {
    return events.some((e) => isFinalJobState(e.type));
  }
}
