import { BeforeApplicationShutdown, HttpException, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import type { Request, Response } from 'express';

/** One open Server-Sent Events response. */
export class SseStream {
  private open = true;

  constructor(
    private readonly res: Response,
    private readonly onEnd: (s: SseStream) => void,
  ) {}

  /** False once the client went away or the stream was ended. */
  get isOpen(): boolean {
    return this.open && !this.res.writableEnded;
  }

  /** Sends one event (`id` is what the browser echoes as Last-Event-ID). */
  send(data: unknown, id?: string, event?: string): void {
    if (!this.isOpen) return;
    const head = `${id ? `id: ${id}\n` : ''}${event ? `event: ${event}\n` : ''}`;
    this.res.write(`${head}data: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line that keeps proxies from closing an idle stream. */
  keepAlive(): void {
    if (this.isOpen) this.res.write(': keep-alive\n\n');
  }

  /** Ends the response. */
  end(): void {
    if (!this.open) return;
    this.open = false;
    if (!this.res.writableEnded) this.res.end();
    this.onEnd(this);
  }

  /** Marks the stream closed when the client disconnects. */
  markClosed(): void {
    this.open = false;
    this.onEnd(this);
  }
}

/** What an SSE stream carries, for the counts of `/metrics`. */
export type SseKind = 'job-events' | 'live';

/**
 * Opens SSE responses within the caps (per client address and in total;
 * 429 beyond), counts them, and ends all of them at shutdown (so the HTTP
 * server can close).
 */
@Injectable()
export class SseHub implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly streams = new Set<SseStream>();
  private readonly perClient = new Map<string, number>();
  private readonly perKind = new Map<SseKind, number>();
  private closing = false;
  /** Streams refused by a cap since start. */
  refused = 0;

  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Open streams of `kind`. */
  count(kind: SseKind): number {
    return this.perKind.get(kind) ?? 0;
  }

  /** True once shutdown began. */
  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Writes SSE headers and returns the stream; it closes itself when the
   * client goes away.
   * @throws HttpException 429 when the client or the server has its most streams open
   */
  open(req: Request, res: Response, kind: SseKind, retryMs = 2000): SseStream {
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const mine = this.perClient.get(client) ?? 0;
    const { sseStreamsPerClientMax: perClientMax, sseStreamsMax: totalMax } = this.options;
    if (mine >= perClientMax || this.streams.size >= totalMax) {
      this.refused++;
      const which = mine >= perClientMax ? `${perClientMax} per client` : `${totalMax} in total`;
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `too many open event streams (at most ${which}); close one and retry`,
        },
        429,
      );
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${retryMs}\n\n`);
    const stream = new SseStream(res, (s) => {
      if (!this.streams.delete(s)) return;
      this.perClient.set(client, (this.perClient.get(client) ?? 1) - 1);
      if (this.perClient.get(client)! <= 0) this.perClient.delete(client);
      this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
    });
    this.streams.add(stream);
    this.perClient.set(client, mine + 1);
    this.perKind.set(kind, this.count(kind) + 1);
    req.on('close', () => stream.markClosed());
    return stream;
  }

  /** Ends every open stream. */
  closeAll(): void {
    this.closing = true;
    for (const s of [...this.streams]) s.end();
  }

  /** Nest hook before the HTTP server closes: open streams would keep it from closing. */
  beforeApplicationShutdown(): void {
    this.closeAll();
  }

  /** Nest shutdown hook. */
  onApplicationShutdown(): void {
    this.closeAll();
  }
}
