import type { EventEmitter } from 'events';

/** A Redis URL fit for a log line: the password (if any) masked. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Whether this process currently reaches one Redis, shared by every
 * connection to it (tlbsim's own and BullMQ's). It logs one line when Redis
 * becomes unreachable and one when it answers again, instead of an error
 * (or an ioredis "Unhandled error event" stack trace) per connection and
 * retry. Clients keep retrying on their own; callers that must not wait
 * (HTTP handlers) ask {@link up} first.
 */
export class RedisConnectionMonitor {
  private static readonly byUrl = new Map<string, RedisConnectionMonitor>();
  /** Where state changes are written, one line each. @defaultValue standard error */
  static log: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

  /** False from the first connection error until a connection is ready again. */
  up = true;
  /** When Redis was last seen unreachable (ms since the epoch), or null while up. */
  downSince: number | null = null;
  private readonly listeners = new Set<(up: boolean) => void>();

  private constructor(private readonly url: string) {}

  /** The monitor of `url` in this process. */
  static of(url: string): RedisConnectionMonitor {
    let m = this.byUrl.get(url);
    if (!m) this.byUrl.set(url, (m = new RedisConnectionMonitor(url)));
    return m;
  }

  /** Follows an ioredis client: its errors and its readiness. */
  watch(client: EventEmitter): void {
    client.on('error', (error: Error) => this.failed(error));
    client.on('ready', () => this.ready());
  }

  /**
   * An error of a client (ioredis, or relayed by BullMQ's `error` events).
   * @returns false if it is not a connection error (the caller reports it).
   */
  failed(error: Error): boolean {
    if (!isConnectionError(error)) return false;
    if (!this.up) return true;
    this.up = false;
    this.downSince = Date.now();
    RedisConnectionMonitor.log(
      `tlbsim: Redis at ${redactRedisUrl(this.url)} is unreachable (${error.message}); retrying`,
    );
    for (const fn of this.listeners) fn(false);
    return true;
  }

  /** A connection is ready. */
  ready(): void {
    if (this.up) return;
    this.up = true;
    this.downSince = null;
    RedisConnectionMonitor.log(`tlbsim: Redis at ${redactRedisUrl(this.url)} answers again`);
    for (const fn of this.listeners) fn(true);
  }

  /** Calls `fn` on every change; returns the unsubscribe function. */
  onChange(fn: (up: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/**
 * Network-level failures (not command errors such as WRONGTYPE, which say
 * nothing about reachability), including a Redis Cluster's: down
 * (CLUSTERDOWN, a master lost), its slot map unreadable, or redirections
 * exhausted while a node is gone.
 */
export function isConnectionError(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return (
    Boolean(code && /^(ECONN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|EAI_AGAIN)/.test(code)) ||
    /connect|connection|socket|closed|ETIMEDOUT|CLUSTERDOWN|slots cache|Cluster redirections|startup nodes/i.test(
      error.message,
    )
  );
}

/**
 * A BullMQ `error` listener: connection errors go to the monitor of
 * `url`, anything else to `log` (without it, BullMQ prints each to the console).
 */
export function relayQueueError(
  url: string,
  log: (line: string) => void = RedisConnectionMonitor.log,
): (error: Error) => void {
  return (error) => {
    if (!RedisConnectionMonitor.of(url).failed(error)) log(`tlbsim: queue: ${error.message}`);
  };
}
