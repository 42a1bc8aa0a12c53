import type { ShardExchangeRepository } from '@tlbsim/jobs';

/**
 * What a missing shard can do that counts as progress at a barrier and
 * restarts a waiting shard's barrier timeout (redis.transport.ts): its label,
 * a job id stem, and the action on the missing shard's repository.
 */
export const BARRIER_PROGRESS: [string, string, (r: ShardExchangeRepository, token: string) => Promise<unknown>][] = [
  ['a claim of the missing shard (a worker resuming it)', 'f', (r) => r.claim()],
  ['a window the resumed missing shard re-runs', 'g', (r, token) => r.publish(0, new Map(), false, token)],
];
