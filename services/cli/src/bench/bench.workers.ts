import { spawn } from 'child_process';
import { join } from 'path';
import { LocalProcess, managed } from '../local-cluster';
import { redisArgsOf } from '../commands/redis.options';

/** The built CLI the worker processes run. */
const MAIN = join(__dirname, '..', 'main.js');

/**
 * Node options of the bench's worker processes, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile them
 * (docs/scaling.md section 7). @defaultValue none ($TLBSIM_BENCH_WORKER_NODE_ARGS, split on spaces)
 */
const WORKER_NODE_ARGS = (process.env.TLBSIM_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

/**
 * Starts `count` `tlbsim worker` processes on `url` under `prefix`, each
 * offering `concurrency` shard slots, their output discarded (a bench
 * prints JSON only). The distributed and resize benches both start theirs here.
 */
export function startBenchWorkers(url: string, prefix: string, count: number, concurrency: number): LocalProcess[] {
  const args = [...WORKER_NODE_ARGS, MAIN, 'worker', ...redisArgsOf(url), '--prefix', prefix];
  return Array.from({ length: count }, () =>
    managed(spawn(process.execPath, [...args, '--concurrency', String(concurrency)], { stdio: 'ignore' })),
  );
}
