import type { ShardRunOutcome } from '../protocol/shard-run.protocol';
import type { StoreWatcher } from './sim-client.store';

/** Failures that end a schedule as documented, and the fault that makes each one legitimate. */
export const DOCUMENTED_FAILURES: readonly { pattern: RegExp; after: string; text: string }[] = [
  {
    // The job's one line, as BarrierTimeoutError and ShardExecutionService word it: the shard, the window, the missing.
    pattern:
      /^shard \d+: waited \d+(\.\d)? s at the barrier of window \d+ for (shards? [\d, ]+(and \d+ more)?|its barrier entry \(every shard published the window\)) with no progress \(a write lost in a Redis failover, or no worker runs it\)$/,
    after: 'store-restart',
    text: 'BarrierTimeoutError: a window publish lost with the writes the store lost in its restart',
  },
];

/** Failures recorded at most (the first ones tell the story). @defaultValue 16 */
export const CHECKER_FAILURES_MAX = 16;

/**
 * What the simulator checks while a schedule runs: progress never goes
 * backwards (a shard resumes from its latest stored snapshot, unless the
 * store lost it in a restart), and which runs ended how. The end state is
 * checked by `verdictOf` (protocol.simulator.ts).
 */
export class SimChecker implements StoreWatcher {
  readonly failures: string[] = [];
  readonly runErrors: string[] = [];
  readonly outcomes = new Map<ShardRunOutcome, number>();
  /** The latest snapshot stored per `<epoch>:<shard>`, as windows done. */
  private readonly stored = new Map<string, number>();

  constructor(private readonly epochNow: () => number) {}

  /** Records a failure (once each). */
  fail(text: string): void {
    if (this.failures.length < CHECKER_FAILURES_MAX && !this.failures.includes(text)) this.failures.push(text);
  }

  snapshotStored(shard: number, windows: number): void {
    const key = `${this.epochNow()}:${shard}`;
    this.stored.set(key, Math.max(windows, this.stored.get(key) ?? 0));
  }

  /** The store restarted: what it keeps of the snapshots is what it kept, whatever was acknowledged. */
  storeRestarted(): void {
    this.stored.clear();
  }

  /** A run of `shard` resumed at `window`. */
  resumed(shard: number, window: number): void {
    const at = this.stored.get(`${this.epochNow()}:${shard}`) ?? 0;
    if (window < at)
      this.fail(`progress went backwards: shard ${shard} resumed at window ${window}, its snapshot at ${at}`);
  }

  runEnded(outcome: ShardRunOutcome): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  runThrew(error: unknown): void {
    if (this.runErrors.length < CHECKER_FAILURES_MAX)
      this.runErrors.push(error instanceof Error ? error.message : String(error));
  }
}
