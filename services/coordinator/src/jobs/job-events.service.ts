import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { isFinalJobState, JobEvent } from '@tlbsim/contracts';
import { compareStreamIds, parseStreamId } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { badRequest } from '../common/validation.pipe';
import { SseHub, SseStream } from '../http/sse.hub';
import { JobEventsFeed } from './job-events.feed';
import { JobsPort } from './jobs.port';

/**
 * Streams a job's event stream as Server-Sent Events: each follower catches
 * up on its own (without blocking), then joins the job's one shared reader
 * ({@link JobEventsFeed}).
 */
@Injectable()
export class JobEventsService {
  private readonly logger = new Logger(JobEventsService.name);
  private readonly feeds = new Map<string, JobEventsFeed>();

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
    let after = await this.resumeAfter(id, lastEventId);
    const first = await this.port.readEvents(id, after, 0, 500);
    if (first.length === 0 && isFinalJobState(job.state) && after !== null) {
      res.status(204).end();
      return;
    }
    const sse = this.hub.open(req, res, 'job-events');
    try {
      after = this.forward(sse, first, after);
      if (!this.ended(first)) await this.feedOf(id).follow(sse, after);
    } catch (error) {
      if (!this.hub.isClosing)
        this.logger.warn(`event stream of ${id} stopped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      sse.end();
    }
  }

  /**
   * The stream id to resume after: none without a Last-Event-ID; the given
   * one if it is within the stream; the end of the stream for one beyond it
   * (a stale tab, another deployment): a running job's next events follow,
   * and an ended job's stream answers 204 as any resume after its final
   * event does (docs/api.md, "Following a job").
   */
  private async resumeAfter(id: string, header: string | undefined): Promise<string | null> {
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
    return !end || compareStreamIds(parsed, end) <= 0 ? given : last;
  }

  /** The job's shared reader, started for its first follower and dropped after its last. */
  private feedOf(id: string): JobEventsFeed {
    let feed = this.feeds.get(id);
    if (!feed) {
      const created: JobEventsFeed = new JobEventsFeed(this.port, id, {
        pollMs: this.options.ssePollMs,
        idleMs: this.options.sseBlockMs,
        onIdle: () => {
          if (this.feeds.get(id) === created) this.feeds.delete(id);
        },
      });
      this.feeds.set(id, (feed = created));
    }
    return feed;
  }

  /** Jobs followed now (one shared reader each). */
  get readers(): number {
    return this.feeds.size;
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
