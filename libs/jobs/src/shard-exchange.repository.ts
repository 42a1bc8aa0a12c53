import { checkpointField } from './checkpoint.schedule';
import { decodeBatch, encodeBatch, InboundEntry } from './batch.codec';
import { JobKeys } from './job.keys';
import { SNAPSHOT_STAGING_TTL_MS } from './jobs.constants';
import { TlbPipeline, TlbRedis } from './redis.client';
import { RESIZE_STOP_LUA } from './resize.scripts';
import {
  BarrierProgress,
  BarrierReply,
  BarrierStatus,
  FencedAppendReply,
  ResizeStopReply,
  ShardClaim,
  ShardExchangeStore,
} from './shard.store';

const STATUS: Record<number, BarrierStatus> = { 1: 'passed', 0: 'waiting', [-1]: 'finished', [-2]: 'superseded' };
/** The largest stream sequence number (the end of one window's entries). */
export const MAX_SEQ = '18446744073709551615';

/** Parses XRANGE/XREAD entries `[[id, [field, value, ...]], ...]` of batches. */
export function parseEntries(raw: unknown): InboundEntry[] {
  const out: InboundEntry[] = [];
  for (const [, fields] of (raw ?? []) as [Buffer, Buffer[]][]) {
    let sender = -1;
    let data: Buffer | null = null;
    for (let i = 0; i < fields.length; i += 2) {
      const f = fields[i].toString();
      if (f === 's') sender = Number(fields[i + 1].toString());
      else if (f === 'd') data = fields[i + 1];
    }
    if (data) out.push({ sender, batch: decodeBatch(data) });
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

  /** Publishes window `window` (one entry per destination shard) and checks its barrier. */
  async publish(
    window: number,
    outbound: Map<number, Float64Array>,
    done: boolean,
    token: string,
  ): Promise<BarrierReply> {
    const k = this.keys;
    const keys = [k.barrier, k.result, k.barrierStream, k.inbound(this.shard)];
    const batches: Buffer[] = [];
    for (const [dst, batch] of outbound) {
      if (batch.length === 0) continue;
      keys.push(k.inbound(dst));
      batches.push(encodeBatch(batch));
    }
    this.roundTrips++;
    const r = (await this.redis.tlbPublishBuffer(
      keys.length,
      ...keys,
      this.shard,
      window,
      done ? 1 : 0,
      token,
      this.shards,
      ...batches,
    )) as [number, number, number, number?, unknown?];
    return {
      status: STATUS[r[0]],
      allDone: r[1] === 1,
      fresh: r[2] === 1,
      stopAt: r[3] ?? -1,
      entries: r[0] === 1 ? parseEntries(r[4]) : [],
    };
  }

  /**
   * Blocks up to `blockMs` for the barrier of `window`, fetching the
   * window's batches in the same round trip (Redis runs a connection's
   * pipelined commands in order, so the XRANGE runs once the XREAD returns).
   */
  async wait(window: number, blockMs: number): Promise<BarrierReply> {
    const k = this.keys;
    this.roundTrips++;
    const res = await this.redis
      .pipeline()
      .xreadBuffer('COUNT', 1, 'BLOCK', blockMs, 'STREAMS', k.barrierStream, `${window}-0`)
      .exists(k.result)
      .xrangeBuffer(k.inbound(this.shard), `${window}-0`, `${window}-${MAX_SEQ}`)
      .hget(k.barrier, 'stopAt')
      .exec();
    if (!res) throw new Error('pipeline aborted');
    for (const [err] of res) if (err) throw err;
    const read = res[0][1] as [Buffer, [Buffer, Buffer[]][]][] | null;
    const stopAt = res[3][1] === null ? -1 : Number(res[3][1]);
    if (!read)
      return { status: res[1][1] === 1 ? 'finished' : 'waiting', allDone: false, fresh: false, entries: [], stopAt };
    const [id, fields] = read[0][1][0];
    const barrierWindow = Number(id.toString().split('-')[0]);
    const flag = fields[fields.findIndex((f) => f.toString() === 'a') + 1]?.toString();
    // A later window's barrier implies this one passed and the run went on.
    const allDone = barrierWindow === window && flag === '1';
    return { status: 'passed', allDone, fresh: false, entries: parseEntries(res[2][1]), stopAt };
  }

  /**
   * Where the barrier of `window` stands: the shards that have not published
   * it, and a signature of every shard's last published window, fencing
   * token and last re-run window (it changes when a shard publishes, is
   * claimed by a worker, or re-runs a window after a resume).
   */
  async barrierProgress(window: number): Promise<BarrierProgress> {
    const fields = Array.from({ length: this.shards }, (_, s) => [`pub:${s}`, `tok:${s}`, `re:${s}`]).flat();
    this.roundTrips++;
    const values = await this.redis.hmget(this.keys.barrier, ...fields);
    const missing: number[] = [];
    for (let s = 0; s < this.shards; s++) if (Number(values[3 * s] ?? '-1') < window) missing.push(s);
    return { missing, signature: values.join(','), token: values[3 * this.shard + 1] ?? null };
  }

  /** The batches delivered in the window after `window` (a resumed shard's first inbound). */
  async inboundOf(window: number): Promise<InboundEntry[]> {
    this.roundTrips++;
    return parseEntries(
      await this.redis.xrangeBuffer(this.keys.inbound(this.shard), `${window}-0`, `${window}-${MAX_SEQ}`),
    );
  }

  /** Stores a snapshot taken after window `keepFrom` and trims inbound batches of earlier windows. */
  async saveSnapshot(bytes: Buffer, keepFrom: number, token: string): Promise<BarrierStatus> {
    const k = this.keys;
    const staging = k.snapshotStaging(this.shard, token);
    this.roundTrips++;
    // One round trip: the blob by a plain SET, then the fenced rename (see SNAPSHOT_LUA).
    const p = this.redis.pipeline() as TlbPipeline;
    p.set(staging, bytes, 'PX', SNAPSHOT_STAGING_TTL_MS);
    p.tlbSnapshot(
      5,
      k.barrier,
      k.result,
      k.snapshot(this.shard),
      k.inbound(this.shard),
      staging,
      this.shard,
      token,
      keepFrom,
    );
    const res = await p.exec();
    if (!res) throw new Error('pipeline aborted');
    for (const [err] of res) if (err) throw err;
    const r = res[1][1] as number;
    if (r === -3)
      throw new Error(`shard ${this.shard}: the snapshot's staging copy was gone before it was put in place`);
    return r === 1 ? 'passed' : STATUS[r];
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

  async latestToken(): Promise<number> {
    this.roundTrips++;
    return Number((await this.redis.hget(this.keys.barrier, `tok:${this.shard}`)) ?? '0');
  }
}
