import type { InboundEntry } from './batch.codec';
import { JobKeys } from './job.keys';
import { DEFAULT_RETENTION_SEC } from './jobs.constants';
import { TlbRedis } from './redis.client';
import { RESIZE_COMMIT_LUA, RESIZE_REQUEST_LUA } from './resize.scripts';
import { parseInbound, ShardExchangeRepository } from './shard-exchange.repository';
import {
  FinishedState,
  JobLayout,
  ResizeCommit,
  ResizeCommitReply,
  ShardExchangeStore,
  ShardStore,
} from './shard.store';

/** Replies of a pipeline, errors thrown. */
async function execAll(p: ReturnType<TlbRedis['pipeline']>): Promise<unknown[]> {
  const res = (await p.exec()) ?? [];
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

/**
 * The Redis {@link ShardStore} of one job: its keys under the job's hash
 * tag, the fenced Lua scripts of `lua/`. A shard run's calls go through a
 * {@link ShardExchangeRepository} on a connection of its own (barrier
 * waits block it).
 */
export class RedisShardStore implements ShardStore {
  constructor(
    private readonly redis: TlbRedis,
    private readonly keys: JobKeys,
    /** Seconds the events and metadata of a finished job are kept. @defaultValue DEFAULT_RETENTION_SEC */
    private readonly retentionSec: number = DEFAULT_RETENTION_SEC,
  ) {}

  exchange(shard: number, shards: number): ShardExchangeStore {
    return new ShardExchangeRepository(this.redis, this.keys, shard, shards);
  }

  async layout(): Promise<JobLayout | null> {
    const [shards, epoch] = await this.redis.hmget(this.keys.meta, 'shards', 'epoch');
    return shards === null ? null : { shards: Number(shards), epoch: Number(epoch ?? '0') };
  }

  async finishedState(): Promise<FinishedState | null> {
    return (await this.redis.hget(this.keys.result, 'state')) as FinishedState | null;
  }

  async finish(state: FinishedState, fields: Record<string, string>, eventJson: string): Promise<boolean> {
    const k = this.keys;
    const pairs = Object.entries({ ...fields, state }).flat();
    return (await this.redis.tlbFinish(3, k.result, k.events, k.meta, this.retentionSec, eventJson, ...pairs)) !== null;
  }

  async append(eventJson: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.tlbAppendEvent(2, k.events, k.result, eventJson)) !== null;
  }

  async dropTransport(shards: number): Promise<void> {
    await this.redis.del(...this.keys.transportKeys(shards));
  }

  async requestResize(shards: number, eventJson: string): Promise<boolean> {
    const k = this.keys;
    return (
      (await this.redis.eval(RESIZE_REQUEST_LUA, 4, k.barrier, k.result, k.events, k.meta, shards, eventJson)) === 1
    );
  }

  async resizeRequested(): Promise<number | null> {
    const v = await this.redis.hget(this.keys.barrier, 'resize');
    return v === null ? null : Number(v);
  }

  async snapshots(shards: number): Promise<(Buffer | null)[]> {
    const p = this.redis.pipeline();
    for (let s = 0; s < shards; s++) p.getBuffer(this.keys.snapshot(s));
    return (await execAll(p)) as (Buffer | null)[];
  }

  async inboundAt(shards: number, window: number): Promise<InboundEntry[][]> {
    const p = this.redis.pipeline();
    for (let s = 0; s < shards; s++) p.zrangebyscoreBuffer(this.keys.inbound(s), window, window);
    return (await execAll(p)).map((raw) => parseInbound(raw));
  }

  async commitResize(c: ResizeCommit): Promise<ResizeCommitReply> {
    const k = this.keys;
    const m = Math.max(c.from, c.to);
    const keys = [k.result, k.meta, k.barrier, k.events, k.checkpoints];
    for (let s = 0; s < m; s++) keys.push(k.snapshot(s));
    for (let s = 0; s < m; s++) keys.push(k.inbound(s));
    const r = Number(
      await this.redis.eval(
        RESIZE_COMMIT_LUA,
        keys.length,
        ...keys,
        c.epoch,
        c.to,
        c.eventJson,
        c.expect,
        c.requeue ? 1 : 0,
        c.windowsDone,
        ...c.snapshots,
        ...c.checkpoints,
      ),
    );
    return r >= 0 ? r : r === -1 ? 'finished' : r === -2 ? 'moved' : 'redo';
  }

  async partials(): Promise<Map<number, string>> {
    const h = await this.redis.hgetall(this.keys.partials);
    return new Map(Object.entries(h).map(([s, v]) => [Number(s), v]));
  }

  async checkpoints(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys.checkpoints)));
  }

  async events(): Promise<string[]> {
    const raw = (await this.redis.xrange(this.keys.events, '-', '+')) as [string, string[]][];
    return raw.map(([, f]) => f[f.indexOf('e') + 1]);
  }
}
