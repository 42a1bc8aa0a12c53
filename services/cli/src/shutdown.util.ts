import { WORKER_SHUTDOWN_MS } from '@tlbsim/worker';

/**
 * Stopping `tlbsim serve`: the worker process's rules (`@tlbsim/worker`'s
 * shutdown.util, re-exported here for the CLI's commands) and serve's own deadlines.
 */
export { stopWithin, untilRedisLost, untilStopRequested, WORKER_SHUTDOWN_MS } from '@tlbsim/worker';

/** How long `serve` waits for its local workers before SIGKILL: their deadline plus a margin. @defaultValue 9000 */
export const LOCAL_WORKER_GRACE_MS = WORKER_SHUTDOWN_MS + 1000;

/** How long `serve`'s whole stop may take (workers, coordinator, private Redis). @defaultValue 11000 */
export const SERVE_SHUTDOWN_MS = LOCAL_WORKER_GRACE_MS + 2000;
