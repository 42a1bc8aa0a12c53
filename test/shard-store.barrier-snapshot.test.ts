/**
 * What the retired real-Redis transport tests checked at the store and the
 * simulator cannot see (it runs on the in-memory store): the barrier
 * progress a waiting shard's timeout watches moves on the missing shard's
 * claim and re-run window, on both implementations (the timing rule itself
 * is the pure barrier watch's, barrier-watch.protocol); and a Redis
 * snapshot write leaves no staging copy and no expiry behind.
 */
import { createRedis, InMemoryShardStore, JobKeys, RedisShardStore, ShardStore, TlbRedis } from '@tlbsim/jobs';
import { startRedis, TestRedis } from './support/redis-server';

let server: TestRedis;
const conns: TlbRedis[] = [];
let jobs = 0;

/** A connection to the test server, closed after the suite. */
function connect(): TlbRedis {
  const conn = createRedis(server.url);
  conns.push(conn);
  return conn;
}

/** The Redis store of a new job of `shards` shards, and its keys. */
async function redisJob(shards: number): Promise<{ store: RedisShardStore; keys: JobKeys; conn: TlbRedis }> {
  const conn = connect();
  const keys = new JobKeys('bsnap', `j${++jobs}`);
  await conn.hset(keys.meta, { shards, epoch: 0 });
  return { store: new RedisShardStore(conn, keys), keys, conn };
}

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  conns.forEach((c) => c.disconnect());
  await server?.stop();
});

describe.each([
  ['memory', (shards: number): Promise<ShardStore> => Promise.resolve(new InMemoryShardStore({ shards }))],
  ['redis', async (shards: number): Promise<ShardStore> => (await redisJob(shards)).store],
])('barrier progress (%s)', (_name, make) => {
  it("moves when the missing shard is claimed again or re-runs a window, and only then (the timeout's restarts)", async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    await a.publish(0, new Map(), false, ta);
    await b.publish(0, new Map(), false, tb);
    await a.publish(1, new Map(), false, ta);
    const idle = await a.barrierProgress(1);
    expect(idle.missing).toEqual([1]);
    expect((await a.barrierProgress(1)).signature).toBe(idle.signature);
    const resumed = (await b.claim())!.token;
    const claimed = (await a.barrierProgress(1)).signature;
    expect(claimed).not.toBe(idle.signature);
    await b.publish(0, new Map(), false, resumed);
    const rerun = await a.barrierProgress(1);
    expect(rerun.signature).not.toBe(claimed);
    expect(rerun.missing).toEqual([1]);
  });
});

describe('RedisShardStore snapshots: the staging copy', () => {
  /** Shard 0's exchange of a new one-shard job, claimed `claims` times, and the job's snapshot keys. */
  async function claimed(claims: number) {
    const { keys, conn, store } = await redisJob(1);
    const x = store.exchange(0, 1);
    const tokens: string[] = [];
    for (let i = 0; i < claims; i++) tokens.push((await x.claim())!.token);
    const snapKeys = (): Promise<string[]> => conn.keys(`${keys.snapshot(0)}*`);
    return { conn, keys, x, tokens, snapKeys };
  }

  it('the current run: the bytes in place, no expiry inherited, no staging copy left', async () => {
    const { conn, keys, x, tokens, snapKeys } = await claimed(1);
    const bytes = Buffer.from([1, 2, 3, 250]);
    expect(await x.saveSnapshot(bytes, 5, tokens[0])).toBe('passed');
    expect(await conn.getBuffer(keys.snapshot(0))).toEqual(bytes);
    expect(await conn.pttl(keys.snapshot(0))).toBe(-1);
    expect(await snapKeys()).toEqual([keys.snapshot(0)]);
  });

  it('a stale run or a finished job: nothing written, no staging copy left', async () => {
    const stale = await claimed(2);
    expect(await stale.x.saveSnapshot(Buffer.from([7]), 1, stale.tokens[1])).toBe('passed');
    expect(await stale.x.saveSnapshot(Buffer.from([9, 9]), 2, stale.tokens[0])).toBe('superseded');
    expect(await stale.conn.getBuffer(stale.keys.snapshot(0))).toEqual(Buffer.from([7]));
    expect(await stale.snapKeys()).toEqual([stale.keys.snapshot(0)]);
    const done = await claimed(1);
    await done.conn.hset(done.keys.result, 'state', 'cancelled');
    expect(await done.x.saveSnapshot(Buffer.from([1]), 0, done.tokens[0])).toBe('finished');
    expect(await done.snapKeys()).toEqual([]);
  });
});
