/**
 * The Redis transport against a real redis-server: batches are delivered
 * once per window in its round trips, a resent batch or a re-published
 * window is dropped, the barrier reports all-done, and progress of the
 * missing shard restarts a barrier wait's timeout. What the protocol does
 * around it (a finished job stops its waiting shards, a lost publish ends
 * in the barrier timeout's one line) is the protocol simulator's
 * (test/protocol-sim.test.ts) and the store contract's; a snapshot write's
 * staging copy is test/shard-store.barrier-snapshot.test.ts's.
 */
import { MSG_WIDTH } from '@tlbsim/sim-core';
import {
  BarrierTimeoutError,
  createRedis,
  encodeBatch,
  inboundMember,
  JobKeys,
  RedisTransport,
  ShardExchangeRepository,
  TlbRedis,
} from '@tlbsim/jobs';
import { BARRIER_PROGRESS } from './support/barrier.fixture';
import { startRedis, TestRedis } from './support/redis-server';

let server: TestRedis;
let conns: TlbRedis[] = [];

/** A batch of `n` messages from actor `src`, seqs from `seq0`. */
function batch(src: number, dst: number, n: number, seq0 = 0): Float64Array {
  const b = new Float64Array(n * MSG_WIDTH);
  for (let i = 0; i < n; i++) b.set([10000 + i, src, seq0 + i, dst, 1], i * MSG_WIDTH);
  return b;
}

async function transports(
  jobId: string,
  shards: number,
): Promise<{ keys: JobKeys; repos: ShardExchangeRepository[]; ts: RedisTransport[] }> {
  const keys = new JobKeys('unit', jobId);
  const repos: ShardExchangeRepository[] = [];
  const ts: RedisTransport[] = [];
  for (let s = 0; s < shards; s++) {
    const conn = createRedis(server.url);
    conns.push(conn);
    const repo = new ShardExchangeRepository(conn, keys, s, shards);
    const claim = (await repo.claim())!;
    repos.push(repo);
    ts.push(new RedisTransport(repo, { jobId, token: claim.token, blockMs: 100 }));
  }
  return { keys, repos, ts };
}

beforeAll(async () => {
  server = await startRedis();
});
afterEach(() => {
  conns.forEach((c) => c.disconnect());
  conns = [];
});
afterAll(async () => {
  await server.stop();
});

describe('RedisTransport', () => {
  it('delivers each window once and barriers all shards', async () => {
    const { ts } = await transports('a', 2);
    const [r0, r1] = await Promise.all([
      ts[0].exchange(
        0,
        0,
        new Map([
          [1, batch(1, 5, 3)],
          [0, batch(1, 2, 1, 3)],
        ]),
        false,
      ),
      ts[1].exchange(1, 0, new Map([[0, batch(5, 1, 2)]]), true),
    ]);
    expect(r0.allDone).toBe(false);
    expect(r0.inbound.reduce((a, b) => a + b.length / MSG_WIDTH, 0)).toBe(3);
    expect(r1.inbound.reduce((a, b) => a + b.length / MSG_WIDTH, 0)).toBe(3);
    const [d0, d1] = await Promise.all([ts[0].exchange(0, 1, new Map(), true), ts[1].exchange(1, 1, new Map(), true)]);
    expect(d0.allDone && d1.allDone).toBe(true);
    expect(ts[0].stats.messagesSent + ts[1].stats.messagesSent).toBe(6);
    expect(ts[0].stats.messagesReceived + ts[1].stats.messagesReceived).toBe(6);
    expect(ts[0].stats.redisRoundTrips).toBeLessThanOrEqual(4);
  });

  it('drops a duplicate delivery of a batch (same sender actor and seq)', async () => {
    const { keys, ts } = await transports('b', 2);
    const sent = batch(1, 5, 4);
    // A crashed sender's resend of the same messages, already stored (in another batch: an identical
    // member would be one member of the sorted set).
    const raw = createRedis(server.url);
    conns.push(raw);
    const resent = Buffer.concat([encodeBatch(batch(1, 5, 2, 2)), encodeBatch(batch(1, 5, 2))]);
    await raw.zadd(keys.inbound(1), 0, inboundMember(0, 0, resent));
    const [, r1] = await Promise.all([
      ts[0].exchange(0, 0, new Map([[1, sent]]), false),
      ts[1].exchange(1, 0, new Map(), false),
    ]);
    expect(r1.inbound.reduce((a, b) => a + b.length / MSG_WIDTH, 0)).toBe(4);
    expect(ts[1].stats.duplicatesDropped).toBe(4);
    expect(ts[1].stats.messagesReceived).toBe(4);
  });

  it('a re-published window (resumed shard) is not written twice', async () => {
    const { keys, repos, ts } = await transports('c', 2);
    await Promise.all([
      ts[0].exchange(0, 0, new Map([[1, batch(1, 5, 2)]]), false),
      ts[1].exchange(1, 0, new Map(), false),
    ]);
    const again = await repos[0].publish(0, new Map([[1, batch(1, 5, 2)]]), false, '1');
    expect(again.status).toBe('passed');
    expect(again.fresh).toBe(false);
    const raw = createRedis(server.url);
    conns.push(raw);
    expect(await raw.zcard(keys.inbound(1))).toBe(1);
  });

  it.each(BARRIER_PROGRESS)('%s restarts the barrier timeout', async (_what, jobId, progress) => {
    const { repos, ts } = await transports(jobId, 2);
    // Both passed window 0; shard 0 waits at window 1, which shard 1 never publishes.
    await Promise.all([ts[0].exchange(0, 0, new Map(), false), ts[1].exchange(1, 0, new Map(), false)]);
    // Lower bounds only: a loaded machine makes every wait longer, never shorter. The progress comes well
    // inside the timeout (a precondition, checked), and the timeout must then count from the progress.
    const timeoutMs = 2000;
    const blockMs = 100;
    const t0 = new RedisTransport(repos[0], { jobId, token: '1', blockMs, barrierTimeoutMs: timeoutMs });
    const start = Date.now();
    const waiting = t0.exchange(0, 1, new Map(), false).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    const progressAt = Date.now();
    expect(progressAt - start).toBeLessThan(timeoutMs);
    await progress(repos[1], '1');
    const error = await waiting;
    expect(error).toBeInstanceOf(BarrierTimeoutError);
    expect((error as BarrierTimeoutError).window).toBe(1);
    // The wait counts from the blocking read that saw the progress (sent about blockMs before it, less
    // what the loaded machine delays its send: a second blockMs of margin). Without the restart it would
    // have ended at start + timeoutMs: about timeoutMs - 500 ms after the progress, below the bound.
    expect(Date.now() - progressAt).toBeGreaterThanOrEqual(timeoutMs - 2 * blockMs);
  });
});
