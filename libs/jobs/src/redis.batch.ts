import type { ChainableCommander } from 'ioredis';
import type { TlbRedis } from './redis.client';

/** A pipeline's replies as ioredis gives them: `[error, reply]` per command. */
export type PipelineReplies = [Error | null, unknown][];

/**
 * Queues `add(pipeline, item)` for every item and sends them in one round
 * trip: one pipeline on a single server; on a Redis Cluster, where a
 * pipeline must stay within one hash slot, one pipeline per item (each
 * item's commands touch one job's or sweep's keys), all sent at once, so
 * still one round trip per node. Replies in item order.
 */
export async function pipelineEach<T>(
  redis: TlbRedis,
  items: readonly T[],
  add: (p: ChainableCommander, item: T) => void,
): Promise<PipelineReplies> {
  if (items.length === 0) return [];
  if (!redis.isCluster) {
    const p = redis.pipeline();
    for (const item of items) add(p, item);
    return ((await p.exec()) ?? []) as PipelineReplies;
  }
  const replies = await Promise.all(
    items.map(async (item) => {
      const p = redis.pipeline();
      add(p, item);
      return ((await p.exec()) ?? []) as PipelineReplies;
    }),
  );
  return replies.flat();
}

/**
 * Sends a pipeline and returns its replies, throwing the first command's
 * error (or an aborted pipeline's): for a pipeline whose commands all must
 * succeed, as one round trip of a protocol step.
 */
export async function execAll(p: ChainableCommander): Promise<PipelineReplies> {
  const res = (await p.exec()) as PipelineReplies | null;
  if (!res) throw new Error('pipeline aborted');
  for (const [err] of res) if (err) throw err;
  return res;
}
