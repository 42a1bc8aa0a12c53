import { Job, WaitingError } from 'bullmq';

/**
 * Hands an interrupted shard (its snapshot just stored) back to the queue,
 * so another worker resumes it, and throws BullMQ's `WaitingError`, which
 * tells the Worker the job was moved (it neither completes nor fails it).
 * If BullMQ refuses the move because this worker lost the job's lock (it
 * was frozen past it: the stalled check queued the shard again, and another
 * worker may run it already) or cannot reach Redis, the shard is not this
 * worker's to fail: the refusal is one line of the log and the job is left
 * to its new owner, or to the stalled check once the lock this worker no
 * longer renews expires. Never a failed job for it.
 */
export async function handBack(
  job: Pick<Job, 'id' | 'moveToWait'>,
  token: string | undefined,
  log: (line: string) => void,
): Promise<never> {
  try {
    await job.moveToWait(token);
  } catch (e) {
    log(`shard job ${job.id}: not handed back (${(e as Error).message}); left to the worker that holds it now`);
  }
  throw new WaitingError();
}
