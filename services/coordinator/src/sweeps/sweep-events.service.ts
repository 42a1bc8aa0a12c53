import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { SweepEvent, SweepKind, SweepState } from '@tlbsim/contracts';
import { parseStreamId } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { badRequest } from '../common/validation.pipe';
import { SseHub } from '../http/sse.hub';
import { SweepsPort } from './sweeps.port';

/**
 * Streams the event stream of a sweep, hunt or shrink (progress after each
 * point, then `completed` or `failed`) as Server-Sent Events, like a job's
 * events: each event's SSE id is its stream id, so a browser resumes after
 * Last-Event-ID; the stream ends after the final event.
 */
@Injectable()
export class SweepEventsService {
  private readonly logger = new Logger(SweepEventsService.name);

  constructor(
    private readonly port: SweepsPort,
    private readonly hub: SseHub,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /** The state of a job of `kind`, or null if there is none. */
  private async stateOf(kind: SweepKind, id: string): Promise<SweepState | null> {
    const view =
      kind === 'sweep'
        ? await this.port.get(id)
        : kind === 'compare'
          ? await this.port.getCompare(id)
          : await this.port.getSearch(kind, id);
    return view?.state ?? null;
  }

  /**
   * Tails the events of the `kind` job `id` after `lastEventId` until its
   * final event or until the client leaves.
   *
   * @throws NotFoundException for an unknown id (404)
   * @throws BadRequestException for a Last-Event-ID that is not a stream id (400)
   */
  async stream(
    kind: SweepKind,
    id: string,
    lastEventId: string | undefined,
    req: Request,
    res: Response,
  ): Promise<void> {
    const state = await this.stateOf(kind, id);
    if (!state) throw new NotFoundException(`no ${kind} ${id}`);
    let after = lastEventId?.trim() || null;
    if (after !== null && !parseStreamId(after)) {
      const message = `Last-Event-ID: expected a stream id such as 1712345678901-0, got ${JSON.stringify(after.slice(0, 40))}`;
      throw badRequest(message, [
        { path: 'Last-Event-ID', value: after.slice(0, 40), constraint: 'streamId', message },
      ]);
    }
    const sse = this.hub.open(req, res, 'job-events');
    let idleSince = Date.now();
    try {
      while (sse.isOpen) {
        const events: SweepEvent[] = await this.port.readEvents(id, after, 500);
        for (const e of events) {
          sse.send(e, e.id);
          after = e.id;
        }
        if (events.some((e) => e.type !== 'progress')) break;
        if (events.length > 0) idleSince = Date.now();
        else if (Date.now() - idleSince >= this.options.sseBlockMs) {
          idleSince = Date.now();
          sse.keepAlive();
          // Ended with no final event left (expired): the follower ends too.
          if ((await this.stateOf(kind, id)) !== 'running' && (await this.port.readEvents(id, after, 1)).length === 0)
            break;
        }
        if (events.length < 500) await new Promise((r) => setTimeout(r, this.options.ssePollMs));
      }
    } catch (error) {
      if (!this.hub.isClosing)
        this.logger.warn(
          `event stream of ${kind} ${id} stopped: ${error instanceof Error ? error.message : String(error)}`,
        );
    } finally {
      sse.end();
    }
  }
}
