import { SNAPSHOT_WRITE_LOST } from './protocol/shard-run.protocol';
import { checkpointField } from './checkpoint.schedule';
import { decodeBatch, encodeBatch, InboundEntry } from './batch.codec';
import { execAll } from './redis.batch';
import { JobKeys } from './job.keys';
import { SNAPSHOT_STAGING_TTL_MS } from './jobs.constants';
import { TlbPipeline, TlbRedis } from './redis.client';
import { RESIZE_STOP_LUA } from './resize.scripts';
import {
  BarrierNeed,
  BarrierProgress,
  BarrierReply,
  BarrierStatus,
  CompletionKept,
  FencedAppendReply,
  NEED_ALL,
  ResizeStopReply,
  ShardClaim,
  ShardExchangeStore,
  SnapshotReply,
} from './shard.store';

const STATUS: Record<number, BarrierStatus> = { 1: 'passed', 0: 'waiting', [-1]: 'finished', [-2]: 'superseded' };
/** The byte `:` that ends the window and the sender of an inbound member. */
const COLON = 0x3a;

/** An inbound member `<window>:<sender>:<batch>` (see lua/publish.lua). */
export function inboundMember(window: number, sender: number, batch: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${window}:${sender}:`), batch]);
}

/** Parses the members of an inbound sorted set (ZRANGEBYSCORE of one window) into batches. */
export function parseInbound(raw: unknown): InboundEntry[] {
  const out: InboundEntry[] = [];
  for (const m of (raw ?? []) as Buffer[]) {
    const a = m.indexOf(COLON);
    const b = m.indexOf(COLON, a + 1);
    if (a < 0 || b < 0) throw new Error(`inbound member without <window>:<sender>: (${m.length} bytes)`);
    out.push({ sender: Number(m.subarray(a + 1, b).toString()), batch: decodeBatch(m.subarray(b + 1)) });
  }
  return out;
}

/**
 * Redis I/O of one running shard: publishing windows, the barrier, inbound
 * batches, snapshots and the partial result (the Redis {@link ShardExchangeStore}).
 * Uses its own connection since waiting at the barrier blocks it (XREAD BLOCK).
 */
export class ShardExchangeRepository implements ShardExchangeStore {
  /** Round trips to Redis so far (each call of this class is one). */
  roundTrips = 0;

  constructor(
    private readonly redis: TlbRedis,
    private readonly keys: JobKeys,
    private readonly shard: number,
    private readonly shards: number,
  ) {}

  /** Takes a fencing token for this run of the shard and returns its last snapshot. */
  async claim(): Promise<ShardClaim | null> {
    this.roundTrips++;
    const r = (await this.redis.tlbClaimBuffer(
      3,
      this.keys.barrier,
      this.keys.result,
      this.keys.snapshot(this.shard),
      this.shard,
    )) as [number, Buffer | null, number?, number?];
    if (r[0] === -1) return null;
    return { token: String(r[0]), snapshot: r[1] ?? null, t0: r[2] ?? 0, stopAt: r[3] ?? -1 };
  }

  /**
   * Publishes window `window` (one entry per destination shard) and checks
   * whether the shards of `need` published it. With `blockMs`, the blocking
   * read of {@link wait} is pipelined behind the script: one round trip
   * publishes and, unless the job ends first, waits (Redis runs a
   * connection's commands in order, so the read sees the publish).
   */
  async publish(
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
    token: string,
    need: BarrierNeed = NEED_ALL,
    blockMs = 0,
  ): Promise<BarrierReply> {
    const k = this.keys;
    const keys = [k.barrier, k.result, k.barrierStream, k.inbound(this.shard), k.ready(this.shard)];
    const batches: Buffer[] = [];
    for (const [dst, batch] of outbound) {
      if (batch.length === 0) continue;
      keys.push(k.inbound(dst));
      batches.push(encodeBatch(batch));
    }
    const links: (string | number)[] = [need.from.join(',')];
    for (const t of need.to) {
      keys.push(k.ready(t.shard));
      links.push(t.shard, t.from.length);
    }
    const flags = [done ? 1 : 0, token, this.shards, need.all ? 1 : 0, need.span ? 1 : 0];
    const args = [this.shard, window, ...flags, need.syncEveryWindows ?? 1, batches.length];
    this.roundTrips++;
    const blocks = blockMs > 0 && (need.all || need.from.length > 0);
    const p = this.redis.pipeline() as TlbPipeline;
    p.tlbPublishBuffer(keys.length, ...keys, ...args, ...batches, ...links);
    if (blocks) this.queueWait(p, window, blockMs, need);
    const res = await execAll(p);
    const r = res[0][1] as [number, number, number, number?, unknown?];
    const reply: BarrierReply = {
      status: STATUS[r[0]],
      allDone: r[1] === 1,
      fresh: r[2] === 1,
      stopAt: r[3] ?? -1,
      entries: r[0] === 1 ? parseInbound(r[4]) : [],
    };
    if (reply.status !== 'waiting' || !blocks) return reply;
    return { ...this.waitReply(res.slice(1), window, need), fresh: reply.fresh };
  }

  /**
   * Blocks up to `blockMs` until the shards of `need` published `window`
   * (the job's barrier stream when it waits for every shard, else its own
   * ready stream), fetching the window's batches in the same round trip
   * (the XRANGE runs once the XREAD returns).
   */
  async wait(window: number, blockMs: number, need: BarrierNeed = NEED_ALL): Promise<BarrierReply> {
    this.roundTrips++;
    const p = this.redis.pipeline() as TlbPipeline;
    this.queueWait(p, window, blockMs, need);
    return this.waitReply(await execAll(p), window, need);
  }

  private queueWait(p: TlbPipeline, window: number, blockMs: number, need: BarrierNeed): void {
    const k = this.keys;
    const stream = need.all ? k.barrierStream : k.ready(this.shard);
    if (need.all || need.from.length > 0) p.xreadBuffer('COUNT', 1, 'BLOCK', blockMs, 'STREAMS', stream, `${window}-0`);
    else p.exists(k.barrierStream); // no one to wait for: a placeholder keeps the replies' order
    p.exists(k.result).zrangebyscoreBuffer(k.inbound(this.shard), window, window).hget(k.barrier, 'stopAt');
  }

  /** The reply of the commands {@link queueWait} queued. */
  private waitReply(res: [Error | null, unknown][], window: number, need: BarrierNeed): BarrierReply {
    const stopAt = res[3][1] === null ? -1 : Number(res[3][1]);
    const waited = need.all || need.from.length > 0;
    const read = waited ? (res[0][1] as [Buffer, [Buffer, Buffer[]][]][] | null) : null;
    if (waited && !read)
      return { status: res[1][1] === 1 ? 'finished' : 'waiting', allDone: false, fresh: false, entries: [], stopAt };
    let allDone = false;
    if (read && need.all) {
      const [id, fields] = read[0][1][0];
      const barrierWindow = Number(id.toString().split('-')[0]);
      const flag = fields[fields.findIndex((f) => f.toString() === 'a') + 1]?.toString();
      // A later window's barrier implies this one passed and the run went on.
      allDone = barrierWindow === window && flag === '1';
    }
    return { status: 'passed', allDone, fresh: false, entries: parseInbound(res[2][1]), stopAt };
  }

  /**
   * Where the wait for `window` stands: the shards waited for that have not
   * published it, and a signature of their last published window, fencing
   * token and last re-run window (it changes when one publishes, is claimed
   * by a worker, or re-runs a window after a resume).
   */
  async barrierProgress(window: number, need: BarrierNeed = NEED_ALL): Promise<BarrierProgress> {
    const waited = need.all ? Array.from({ length: this.shards }, (_, s) => s) : [...need.from];
    const fields = waited.flatMap((s) => [`pub:${s}`, `tok:${s}`, `re:${s}`]);
    this.roundTrips++;
    const values = await this.redis.hmget(this.keys.barrier, ...fields, `tok:${this.shard}`);
    const missing: number[] = [];
    waited.forEach((s, i) => {
      if (Number(values[3 * i] ?? '-1') < window) missing.push(s);
    });
    return { missing, signature: values.slice(0, -1).join(','), token: values[values.length - 1] ?? null };
  }

  /** The batches delivered in the window after `window` (a resumed shard's first inbound). */
  async inboundOf(window: number): Promise<InboundEntry[]> {
    this.roundTrips++;
    return parseInbound(await this.redis.zrangebyscoreBuffer(this.keys.inbound(this.shard), window, window));
  }

  /** Stores a snapshot taken after window `keepFrom` and trims inbound batches of earlier windows. */
  async saveSnapshot(bytes: Buffer, keepFrom: number, token: string, base?: Buffer | null): Promise<SnapshotReply> {
    const k = this.keys;
    const staging = k.snapshotStaging(this.shard, token);
    this.roundTrips++;
    if (base) {
      // A delta goes in the script's call itself, appended there: no staging copy written to the AOF as well.
      const r = await this.placeSnapshot(staging, keepFrom, token, base, bytes);
      return r === -4 ? 'rebase' : r === 1 ? 'passed' : STATUS[r];
    }
    // A full segment: one round trip: the blob by a plain SET, then the fenced rename (see SNAPSHOT_LUA), written back to back
    // on this connection (Redis runs them in that order). Not a pipeline: ioredis copies a pipeline's commands
    // into one more buffer, and a snapshot is tens of MB (docs/scaling.md section 7).
    const set = this.redis.set(staging, bytes, 'PX', SNAPSHOT_STAGING_TTL_MS);
    const fenced = this.placeSnapshot(staging, keepFrom, token);
    let [, r] = await Promise.all([set, fenced]);
    if (r === -3) {
      // The staging copy was not there when the rename ran: its SET was lost or re-sent after the script
      // (a failover under a cluster client, test/cluster.test.ts). Once more, one after the other.
      this.roundTrips += 2;
      await this.redis.set(staging, bytes, 'PX', SNAPSHOT_STAGING_TTL_MS);
      r = await this.placeSnapshot(staging, keepFrom, token);
    }
    if (r === -3)
      throw new Error(
        `shard ${this.shard}: the snapshot's staging copy was gone before it was put in place (${SNAPSHOT_WRITE_LOST})`,
      );
    return r === 1 ? 'passed' : STATUS[r];
  }

  /**
   * The fenced rename of a full snapshot's staging copy, or the append of `delta` to the chain ending with
   * `base` (lua/snapshot.lua): 1, -1, -2, -3 (no staging copy) or -4 (the chain ends elsewhere).
   */
  private placeSnapshot(
    staging: string,
    keepFrom: number,
    token: string,
    base: Buffer | null = null,
    delta: Buffer | null = null,
  ): Promise<number> {
    const k = this.keys;
    return this.redis.tlbSnapshot(
      5,
      k.barrier,
      k.result,
      k.snapshot(this.shard),
      k.inbound(this.shard),
      staging,
      this.shard,
      token,
      keepFrom,
      ...(base && delta ? [base, delta] : ['']),
    );
  }

  /** Stores this shard's checkpoint after `windowsDone` windows (JSON ShardPartial), dropping the fields `drop`. */
  async saveCheckpoint(windowsDone: number, json: string, drop: readonly string[]): Promise<BarrierStatus> {
    const k = this.keys;
    this.roundTrips++;
    const r = await this.redis.tlbCheckpoint(
      2,
      k.result,
      k.checkpoints,
      checkpointField(windowsDone, this.shard),
      json,
      ...drop,
    );
    return r === 1 ? 'passed' : STATUS[r];
  }

  /** Stores this shard's partial result; returns how many shards finished, or a status. */
  async complete(json: string, token: string): Promise<number | BarrierStatus> {
    const k = this.keys;
    this.roundTrips++;
    const r = await this.redis.tlbCompleteShard(3, k.barrier, k.result, k.partials, this.shard, token, json);
    return r >= 0 ? r : STATUS[r];
  }

  /** Counts this shard as stopped for the resize after window `stopAt` (lua/resize-stop.lua). */
  async stopForResize(token: string, stopAt: number): Promise<ResizeStopReply> {
    const k = this.keys;
    this.roundTrips++;
    const r = Number(await this.redis.eval(RESIZE_STOP_LUA, 2, k.barrier, k.result, this.shard, token, stopAt));
    return r >= 0 ? r : r === -1 ? 'finished' : r === -2 ? 'superseded' : 'none';
  }

  /** Appends a progress event of the run holding `token` (lua/append-shard-event.lua). */
  async appendProgress(eventJson: string, token: string): Promise<FencedAppendReply> {
    const k = this.keys;
    this.roundTrips++;
    const r = await this.redis.tlbAppendShardEvent(3, k.events, k.result, k.barrier, eventJson, this.shard, token);
    return r === -1 ? 'finished' : r === -2 ? 'superseded' : 'appended';
  }

  /** The shard's partial result and the job's result record, as they stand (one round trip). */
  async completionKept(): Promise<CompletionKept> {
    this.roundTrips++;
    const res = await execAll(
      this.redis.pipeline().hexists(this.keys.partials, String(this.shard)).exists(this.keys.result),
    );
    return { partial: res[0][1] === 1, finished: res[1][1] === 1 };
  }

  async latestToken(): Promise<number> {
    this.roundTrips++;
    return Number((await this.redis.hget(this.keys.barrier, `tok:${this.shard}`)) ?? '0');
  }
}
