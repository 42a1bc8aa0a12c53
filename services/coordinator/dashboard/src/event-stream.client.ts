/**
 * Server-Sent Events over `fetch`, so the API token travels in the
 * Authorization header: a browser's EventSource cannot send headers, and a
 * token in the URL would end up in logs and history. Behaves like
 * EventSource where the pages rely on it: reconnects after `retryMs` with
 * `Last-Event-ID`, stops for good on 204 or {@link EventStreamClient.close}.
 */
import { authHeaders } from './api';

/** One message: its data and the id the server gave it. */
export interface StreamMessage {
  data: string;
  lastEventId: string;
}

/** A fetch-based stand-in for EventSource. */
export class EventStreamClient {
  /** Called for every message. */
  onmessage: ((m: StreamMessage) => void) | null = null;
  /** Called when the connection fails or ends; {@link closed} tells whether it will retry. */
  onerror: (() => void) | null = null;
  private done = false;
  private lastId = '';
  private readonly abort = new AbortController();

  constructor(
    private readonly url: string,
    private readonly retryMs = 2000,
  ) {
    void this.run();
  }

  /** True once closed by the page or ended by the server (204). */
  get closed(): boolean {
    return this.done;
  }

  /** Stops the stream. */
  close(): void {
    this.done = true;
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.done) {
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
        if (this.lastId) headers['Last-Event-ID'] = this.lastId;
        const res = await fetch(this.url, { headers, signal: this.abort.signal });
        if (res.status === 204) this.done = true;
        else if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        else await this.read(res.body);
      } catch {
        if (this.done) return;
      }
      this.onerror?.();
      if (!this.done) await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  /** One SSE block: `id:` and `data:` lines (comments and `retry:` ignored). */
  private dispatch(block: string): void {
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'id') this.lastId = value;
    }
    if (data.length > 0) this.onmessage?.({ data: data.join('\n'), lastEventId: this.lastId });
  }
}
