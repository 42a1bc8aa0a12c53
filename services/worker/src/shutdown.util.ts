import { RedisConnectionMonitor } from '@tlbsim/jobs';

/**
 * Stopping long-running processes (the worker, and `tlbsim serve` which
 * uses the same rules): the stop request (signal, or the parent gone) and
 * the deadline of a graceful stop.
 */

/**
 * How long a worker's graceful stop may take: running shards snapshot and
 * go back to the queue within a window or a barrier wait; past it (Redis
 * unreachable) the worker exits anyway and BullMQ gives its shards to
 * another worker once their locks expire. @defaultValue 8000
 */
export const WORKER_SHUTDOWN_MS = 8000;

/**
 * Resolves with the first SIGINT or SIGTERM, or with 'parent exited' when
 * the process has an IPC channel to its parent (a worker started by
 * `serve --workers`) and that channel closes: the parent died, even by
 * SIGKILL, so local workers never outlive it.
 */
export function untilStopRequested(): Promise<string> {
  return new Promise((resolve) => {
    const watchParent = typeof process.send === 'function';
    const stop = (reason: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // A 'disconnect' listener keeps the IPC channel (and the process) alive.
      if (watchParent) process.off('disconnect', onParentGone);
      resolve(reason);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    const onParentGone = (): void => stop('parent exited');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (watchParent) process.on('disconnect', onParentGone);
  });
}

/** Resolves once this process finds the Redis at `url` unreachable (at once if it already does). */
export function untilRedisLost(url: string): Promise<void> {
  const monitor = RedisConnectionMonitor.of(url);
  return new Promise((resolve) => {
    if (!monitor.up) return resolve();
    const off = monitor.onChange((up) => {
      if (!up) {
        off();
        resolve();
      }
    });
  });
}

/**
 * Runs a graceful `stop`. If it has not finished within `deadlineMs`, or
 * `redisUrl` is given and that Redis is (or becomes) unreachable (nothing
 * graceful can be saved then), calls `late` with the reason and ends the
 * process with `exitCode`: connections to an unreachable Redis retry
 * forever and would keep it alive.
 */
export async function stopWithin(
  stop: () => Promise<void>,
  opts: { deadlineMs: number; redisUrl?: string; exitCode: number; late: (reason: string) => void },
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`not stopped within ${opts.deadlineMs} ms`), opts.deadlineMs);
  });
  const lost = opts.redisUrl
    ? untilRedisLost(opts.redisUrl).then(() => 'Redis is unreachable')
    : new Promise<string>(() => undefined);
  const outcome = await Promise.race([
    stop().then(
      () => null,
      () => null,
    ),
    deadline,
    lost,
  ]);
  clearTimeout(timer);
  if (outcome !== null) {
    opts.late(outcome);
    process.exit(opts.exitCode);
  }
}
