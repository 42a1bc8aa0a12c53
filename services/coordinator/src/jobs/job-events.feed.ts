import { isFinalJobState, JobEvent } from '@tlbsim/contracts';
import { compareStreamIds, parseStreamId } from '@tlbsim/jobs';
import type { SseStream } from '../http/sse.hub';
import { JobsPort } from './jobs.port';

/** One follower of a job's events: its stream and the id of the last event it got. */
interface Follower {
  sse: SseStream;
  after: string | null;
  done: () => void;
}

/** Options of {@link JobEventsFeed}. */
export interface JobEventsFeedOptions {
  /** Pause between two reads when nothing new came. */
  pollMs: number;
  /** A keep-alive comment and a check of the job's state after this much silence. */
  idleMs: number;
  /** Called once the last follower left and the feed stopped. */
  onIdle: () => void;
}

/** True if stream id `a` is after `b` (null: before everything). */
function isAfter(a: string, b: string | null): boolean {
  return b === null || compareStreamIds(parseStreamId(a)!, parseStreamId(b)!) > 0;
}

/**
 * The one reader of a job's event stream for all its SSE followers: it reads
 * without blocking, on the job store's shared connection, from the earliest
 * follower's position, and hands every follower the events after its own
 * position. However many browsers follow a job, Redis sees one reader and no
 * extra connection.
 */
export class JobEventsFeed {
  private readonly followers = new Set<Follower>();
  private running = false;

  constructor(
    private readonly port: JobsPort,
    private readonly jobId: string,
    private readonly opts: JobEventsFeedOptions,
  ) {}

  /** Number of followers. */
  get size(): number {
    return this.followers.size;
  }

  /** Follows the job from `after`; resolves when the job ended or the follower left. */
  follow(sse: SseStream, after: string | null): Promise<void> {
    return new Promise((resolve) => {
      this.followers.add({ sse, after, done: resolve });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    let idleSince = Date.now();
    try {
      while (this.prune() > 0) {
        const from = this.earliest();
        const events = await this.port.readEvents(this.jobId, from, 0, 500);
        if (events.length > 0) {
          this.deliver(events);
          idleSince = Date.now();
          if (events.length === 500) continue;
        } else if (Date.now() - idleSince >= this.opts.idleMs) {
          idleSince = Date.now();
          for (const f of this.followers) f.sse.keepAlive();
          const job = await this.port.get(this.jobId);
          // Ended with no final event left to deliver (expired, or gone): the followers end too.
          if (!job || isFinalJobState(job.state))
            this.deliver(await this.port.readEvents(this.jobId, this.earliest(), 0, 500), true);
        }
        await new Promise((r) => setTimeout(r, this.opts.pollMs));
      }
    } catch {
      // The store failed: followers end; their browsers reconnect with Last-Event-ID.
      for (const f of [...this.followers]) this.leave(f);
    } finally {
      this.running = false;
      if (this.followers.size > 0) void this.run();
      else this.opts.onIdle();
    }
  }

  /** Hands each follower its new events; a final event (or `endAll`) ends the follower. */
  private deliver(events: readonly JobEvent[], endAll = false): void {
    for (const f of [...this.followers]) {
      let ended = endAll;
      for (const e of events) {
        if (!isAfter(e.id, f.after)) continue;
        f.sse.send(e, e.id);
        f.after = e.id;
        if (isFinalJobState(e.type)) ended = true;
      }
      if (ended) this.leave(f);
    }
  }

  /** Drops followers whose client went away; returns how many remain. */
  private prune(): number {
    for (const f of [...this.followers]) if (!f.sse.isOpen) this.leave(f);
    return this.followers.size;
  }

  private leave(f: Follower): void {
    this.followers.delete(f);
    f.done();
  }

  /** The earliest position of all followers. */
  private earliest(): string | null {
    let min: string | null | undefined;
    for (const f of this.followers) {
      if (f.after === null) return null;
      if (min === undefined || !isAfter(f.after, min)) min = f.after;
    }
    return min ?? null;
  }
}
