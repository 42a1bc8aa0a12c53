import { Injectable, OnApplicationShutdown } from '@nestjs/common';
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

/** Opens SSE responses and ends all of them at shutdown (so the HTTP server can close). */
@Injectable()
export class SseHub implements OnApplicationShutdown {
  private readonly streams = new Set<SseStream>();
  private closing = false;

  /** True once shutdown began. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Writes SSE headers and returns the stream; it closes itself when the client goes away. */
  open(req: Request, res: Response, retryMs = 2000): SseStream {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${retryMs}\n\n`);
    const stream = new SseStream(res, (s) => this.streams.delete(s));
    this.streams.add(stream);
    req.on('close', () => stream.markClosed());
    return stream;
  }

  /** Ends every open stream. */
  closeAll(): void {
    this.closing = true;
    for (const s of [...this.streams]) s.end();
  }

  /** Nest shutdown hook. */
  onApplicationShutdown(): void {
    this.closeAll();
  }
}
