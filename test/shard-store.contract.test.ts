/**
 * The contract of the shard protocol's store (libs/jobs shard.store.ts),
 * run against both implementations: Redis (the Lua scripts of lua/, on a
 * real redis-server on a free port, and on a three-master Redis Cluster for
 * the hash tags) and memory (the protocol simulator's).
 * Whatever the simulator finds about the protocol on the in-memory store
 * holds on Redis only as far as this suite makes them agree.
 */
import { MSG_WIDTH } from '@tlbsim/sim-core';
import {
  BarrierNeed,
  createRedis,
  InMemoryShardStore,
  JobKeys,
  RedisShardStore,
  ShardStore,
  TlbRedis,
} from '@tlbsim/jobs';
import { LocalRedisCluster, startRedisCluster } from './support/redis-cluster';
import { startRedis, TestRedis } from './support/redis-server';

let server: TestRedis;
let cluster: LocalRedisCluster;
const conns: TlbRedis[] = [];
let jobs = 0;

/** A batch of `n` messages from actor `src`. */
function batch(src: number, n: number): Float64Array {
  const b = new Float64Array(n * MSG_WIDTH);
  for (let i = 0; i < n; i++) b.set([1000 + i, src, i, 0, 1], i * MSG_WIDTH);
  return b;
}

/** How many messages a list of entries holds. */
function messages(entries: { batch: Float64Array }[]): number {
  return entries.reduce((a, e) => a + e.batch.length / MSG_WIDTH, 0);
}

/** A Redis store of a new job on `url` (one server, or a cluster: every key of a job shares its hash tag). */
async function redisStore(url: string, shards: number): Promise<ShardStore> {
  const conn = createRedis(url);
  conns.push(conn);
  const keys = new JobKeys('contract', `j${++jobs}`);
  await conn.hset(keys.meta, { shards, epoch: 0 });
  return new RedisShardStore(conn, keys);
}

const IMPLEMENTATIONS: [string, (shards: number) => Promise<ShardStore>][] = [
  ['memory', async (shards) => new InMemoryShardStore({ shards })],
  ['redis', (shards) => redisStore(server.url, shards)],
  ['redis cluster', (shards) => redisStore(cluster.url, shards)],
];

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startRedisCluster(3, 1000)]);
});
afterAll(async () => {
  conns.forEach((c) => c.disconnect());
  await Promise.all([server?.stop(), cluster?.stop(1000)]);
});

describe.each(IMPLEMENTATIONS)('ShardStore contract (%s)', (_name, make) => {
  it('claims: a new token per run, the token base and no snapshot at first', async () => {
    const store = await make(2);
    const x = store.exchange(1, 2);
    expect(await x.claim()).toEqual({ token: '1', snapshot: null, t0: 0, stopAt: -1 });
    expect((await x.claim())!.token).toBe('2');
    expect(await store.layout()).toEqual({ shards: 2, epoch: 0 });
  });

  it('passes a window barrier once every shard published it, delivering each batch once', async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    const first = await a.publish(0, new Map([[1, batch(1, 3)]]), false, ta);
    expect(first).toMatchObject({ status: 'waiting', fresh: true, stopAt: -1 });
    expect((await a.wait(0, 10)).status).toBe('waiting');
    expect((await a.barrierProgress(0)).missing).toEqual([1]);
    const last = await b.publish(0, new Map([[0, batch(7, 2)]]), true, tb);
    expect(last).toMatchObject({ status: 'passed', allDone: false, fresh: true });
    expect(messages(last.entries)).toBe(3);
    const waited = await a.wait(0, 10);
    expect(waited).toMatchObject({ status: 'passed', allDone: false });
    expect(messages(waited.entries)).toBe(2);
    expect(waited.entries[0].sender).toBe(1);
    expect((await a.barrierProgress(0)).missing).toEqual([]);
    // A re-published window (a resumed run) is not written or counted again.
    const again = await b.publish(0, new Map([[0, batch(7, 2)]]), true, tb);
    expect(again).toMatchObject({ status: 'passed', fresh: false });
    expect(messages((await a.wait(0, 10)).entries)).toBe(2);
    expect(messages(await a.inboundOf(0))).toBe(2);
    // All done: the barrier says so.
    await a.publish(1, new Map(), true, ta);
    expect((await b.publish(1, new Map(), true, tb)).allDone).toBe(true);
    expect((await a.wait(1, 10)).allDone).toBe(true);
  });

  it('refuses every write of a run whose token is no longer the latest (fencing)', async () => {
    const store = await make(1);
    const x = store.exchange(0, 1);
    const old = (await x.claim())!.token;
    const before = (await x.barrierProgress(0)).signature;
    expect((await x.barrierProgress(0)).token).toBe(old);
    const now = (await x.claim())!.token;
    expect((await x.barrierProgress(0)).signature).not.toBe(before);
    expect((await x.publish(0, new Map(), false, old)).status).toBe('superseded');
    expect(await x.saveSnapshot(Buffer.from('s'), 0, old)).toBe('superseded');
    expect(await x.complete('{}', old)).toBe('superseded');
    expect(await x.appendProgress('{"type":"window-completed"}', old)).toBe('superseded');
    expect(await x.stopForResize(old, 0)).toBe('superseded');
    expect(await x.appendProgress('{"type":"window-completed"}', now)).toBe('appended');
    expect(await x.latestToken()).toBe(Number(now));
    expect(await store.events()).toEqual(['{"type":"window-completed"}']);
    expect(await x.complete('{"p":1}', now)).toBe(1);
    expect(await store.partials()).toEqual(new Map([[0, '{"p":1}']]));
  });

  it('keeps a snapshot for the next claim and trims the inbound batches before it', async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    for (let w = 0; w < 3; w++) {
      await a.publish(w, new Map(), false, ta);
      await b.publish(w, new Map([[0, batch(7, 1)]]), false, tb);
    }
    expect(await a.saveSnapshot(Buffer.from('snap-2'), 2, ta)).toBe('passed');
    expect(messages(await a.inboundOf(1))).toBe(0);
    expect(messages(await a.inboundOf(2))).toBe(1);
    const claim = (await a.claim())!;
    expect(claim.snapshot?.toString()).toBe('snap-2');
    expect(claim.token).toBe('2');
    expect(await store.snapshots(2)).toEqual([Buffer.from('snap-2'), null]);
    expect((await store.inboundAt(2, 2)).map(messages)).toEqual([1, 0]);
  });

  it('appends a delta segment only to the chain that ends with its base; a full one replaces the chain', async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    for (let w = 0; w < 4; w++) {
      await a.publish(w, new Map(), false, ta);
      await b.publish(w, new Map([[0, batch(7, 1)]]), false, tb);
    }
    // Segments end with their 8-byte id; the store reads nothing else of them.
    const full = Buffer.from('full-seg' + 'id-00001');
    expect(await a.saveSnapshot(full, 1, ta, null)).toBe('passed');
    expect(await a.saveSnapshot(Buffer.from('delta-2:id-00002'), 2, ta, Buffer.from('id-00001'))).toBe('passed');
    expect(messages(await a.inboundOf(1))).toBe(0);
    // The same delta again (a retry after a lost reply): the chain ends with its own id now, so once only.
    expect(await a.saveSnapshot(Buffer.from('delta-2:id-00002'), 2, ta, Buffer.from('id-00001'))).toBe('rebase');
    // Based on a segment that is not the chain's end: nothing written, no batch dropped.
    expect(await a.saveSnapshot(Buffer.from('delta-x:id-00009'), 3, ta, Buffer.from('id-00001'))).toBe('rebase');
    expect(messages(await a.inboundOf(2))).toBe(1);
    expect((await store.snapshots(2))[0]?.toString()).toBe('full-segid-00001delta-2:id-00002');
    // Fenced and finished as a full segment is.
    const t2 = (await a.claim())!.token;
    expect(await a.saveSnapshot(Buffer.from('d:id-00003'), 3, ta, Buffer.from('id-00002'))).toBe('superseded');
    expect((await a.claim())!.snapshot?.toString()).toBe('full-segid-00001delta-2:id-00002');
    expect(t2).not.toBe(ta);
    const t3 = (await a.claim())!.token;
    expect(await a.saveSnapshot(Buffer.from('full-new' + 'id-00004'), 3, t3, null)).toBe('passed');
    expect((await store.snapshots(2))[0]?.toString()).toBe('full-newid-00004');
    expect(await store.finish('cancelled', { error: '' }, '{"type":"cancelled"}')).toBe(true);
    expect(await a.saveSnapshot(Buffer.from('d:id-00005'), 4, t3, Buffer.from('id-00004'))).toBe('finished');
  });

  it('keeps checkpoints (not fenced) and drops the ones named', async () => {
    const store = await make(1);
    const x = store.exchange(0, 1);
    expect(await x.saveCheckpoint(1, '{"w":1}', [])).toBe('passed');
    expect(await x.saveCheckpoint(2, '{"w":2}', ['1:0'])).toBe('passed');
    expect(await store.checkpoints()).toEqual(new Map([['2:0', '{"w":2}']]));
  });

  it('finishes once; a finished job refuses claims and every write', async () => {
    const store = await make(1);
    const x = store.exchange(0, 1);
    const t = (await x.claim())!.token;
    expect(await store.finishedState()).toBeNull();
    expect(await store.append('{"type":"shard-started"}')).toBe(true);
    expect(await store.finish('cancelled', { error: '' }, '{"type":"cancelled"}')).toBe(true);
    expect(await store.finish('completed', {}, '{"type":"completed"}')).toBe(false);
    expect(await store.finishedState()).toBe('cancelled');
    expect(await x.claim()).toBeNull();
    expect((await x.publish(0, new Map(), true, t)).status).toBe('finished');
    expect((await x.wait(0, 10)).status).toBe('finished');
    expect(await x.saveSnapshot(Buffer.from('s'), 0, t)).toBe('finished');
    expect(await x.saveCheckpoint(1, '{}', [])).toBe('finished');
    expect(await x.complete('{}', t)).toBe('finished');
    expect(await x.stopForResize(t, 0)).toBe('finished');
    expect(await x.appendProgress('{}', t)).toBe('finished');
    expect(await store.requestResize(2, '{}')).toBe(false);
    expect(await store.append('{"type":"late"}')).toBe(false);
    expect(await store.events()).toEqual(['{"type":"shard-started"}', '{"type":"cancelled"}']);
  });

  it('resizes: the request becomes a stop window at the next barrier, stops count once, the commit switches', async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    expect(await store.requestResize(3, '{"type":"resize-requested"}')).toBe(true);
    expect(await store.resizeRequested()).toBe(3);
    // One past the furthest window published: a shard may be running the window after its last publish.
    expect((await a.publish(0, new Map(), false, ta)).stopAt).toBe(1);
    expect((await b.publish(0, new Map(), false, tb)).stopAt).toBe(1);
    expect((await a.wait(0, 10)).stopAt).toBe(1);
    await a.publish(1, new Map(), false, ta);
    expect((await b.publish(1, new Map(), false, tb)).stopAt).toBe(1);
    expect(await a.stopForResize(ta, 0)).toBe('none');
    expect(await a.stopForResize(ta, 1)).toBe(1);
    expect(await a.stopForResize(ta, 1)).toBe(1);
    expect(await b.stopForResize(tb, 1)).toBe(2);
    const commit = {
      epoch: 0,
      from: 2,
      to: 3,
      expect: '3',
      requeue: true,
      windowsDone: 2,
      snapshots: [0, 1, 2].map((s) => Buffer.from(`n${s}`)),
      checkpoints: ['{"s":0}', '{"s":1}', '{"s":2}'],
      eventJson: '{"type":"resized"}',
    };
    expect(await store.commitResize({ ...commit, expect: '4' })).toBe('redo');
    expect(await store.commitResize(commit)).toBe(1);
    expect(await store.commitResize(commit)).toBe('moved');
    expect(await store.layout()).toEqual({ shards: 3, epoch: 1 });
    expect(await store.resizeRequested()).toBeNull();
    expect([...(await store.checkpoints()).keys()].sort()).toEqual(['2:0', '2:1', '2:2']);
    // Each shard's next run is its first at 3 shards: t0 is its token before.
    expect(await store.exchange(0, 3).claim()).toEqual({ token: '2', snapshot: Buffer.from('n0'), t0: 1, stopAt: -1 });
    expect(await store.exchange(2, 3).claim()).toEqual({ token: '1', snapshot: Buffer.from('n2'), t0: 0, stopAt: -1 });
    expect(await store.events()).toEqual(['{"type":"resize-requested"}', '{"type":"resized"}']);
  });

  it('waits only for the in-neighbours; batches of senders in different windows all arrive', async () => {
    // A chain 0 - 1 - 2 (block placement cutting two hosts): 1 hears from 0 and 2, they from 1 only.
    const needs: BarrierNeed[] = [
      { all: false, from: [1], to: [{ shard: 1, from: [0, 2] }] },
      {
        all: false,
        from: [0, 2],
        to: [
          { shard: 0, from: [1] },
          { shard: 2, from: [1] },
        ],
      },
      { all: false, from: [1], to: [{ shard: 1, from: [0, 2] }] },
    ];
    const store = await make(3);
    const [a, b, c] = [0, 1, 2].map((s) => store.exchange(s, 3));
    const [ta, tb, tc] = [(await a.claim())!.token, (await b.claim())!.token, (await c.claim())!.token];
    expect((await a.publish(0, new Map([[1, batch(1, 3)]]), false, ta, needs[0])).status).toBe('waiting');
    const b0 = await b.publish(
      0,
      new Map([
        [0, batch(7, 2)],
        [2, batch(8, 1)],
      ]),
      false,
      tb,
      needs[1],
    );
    expect(b0.status).toBe('waiting'); // shard 2 has not published window 0
    expect((await b.barrierProgress(0, needs[1])).missing).toEqual([2]);
    const a0 = await a.wait(0, 10, needs[0]);
    expect(a0.status).toBe('passed'); // shard 0 needs only shard 1
    expect(messages(a0.entries)).toBe(2);
    // Shard 0 runs on to window 1 and sends shard 1 a batch before shard 2 sent its window 0.
    await a.publish(1, new Map([[1, batch(1, 4)]]), false, ta, needs[0]);
    const c0 = await c.publish(0, new Map([[1, batch(9, 1)]]), false, tc, needs[2]);
    expect(c0.status).toBe('passed');
    expect(messages(c0.entries)).toBe(1);
    const b0w = await b.wait(0, 10, needs[1]);
    expect(b0w.status).toBe('passed');
    expect(messages(b0w.entries)).toBe(4);
    expect(messages(await b.inboundOf(1))).toBe(4);
    // Waiting for every shard (a checkpoint, or a done shard) needs the job's slowest.
    expect((await a.wait(1, 10, { ...needs[0], all: true })).status).toBe('waiting');
    expect((await a.barrierProgress(1, { ...needs[0], all: true })).missing).toEqual([1, 2]);
  });

  it('lets shards that share nothing run free until a window every shard must reach', async () => {
    const free: BarrierNeed = { all: false, from: [], to: [] };
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    for (let w = 0; w < 4; w++) expect((await a.publish(w, new Map(), false, ta, free)).status).toBe('passed');
    const end = await a.publish(4, new Map(), true, ta, { ...free, all: true });
    expect(end.status).toBe('waiting');
    expect((await a.barrierProgress(4, { ...free, all: true })).missing).toEqual([1]);
    for (let w = 0; w < 4; w++) await b.publish(w, new Map(), false, tb, free);
    expect((await b.publish(4, new Map(), true, tb, { ...free, all: true })).allDone).toBe(true);
    expect(await a.wait(4, 10, { ...free, all: true })).toMatchObject({ status: 'passed', allDone: true });
  });

  it('counts every window a span covers; a resize then stops at the next sync window', async () => {
    // Two shards that share no host publish only some windows (barrier-need.protocol.ts `publishesAt`).
    const span: BarrierNeed = { all: false, from: [], to: [], span: true, syncEveryWindows: 8 };
    const every: BarrierNeed = { ...span, all: true };
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    expect(await a.publish(7, new Map(), false, ta, span)).toMatchObject({ status: 'passed', fresh: true });
    // Shard 1 covers windows 0..15 at once: windows 0..7 complete, 8..15 wait for shard 0.
    expect((await b.publish(15, new Map(), false, tb, every)).status).toBe('waiting');
    expect((await b.barrierProgress(7, every)).missing).toEqual([]);
    expect((await b.barrierProgress(8, every)).missing).toEqual([0]);
    expect(await a.wait(7, 10, every)).toMatchObject({ status: 'passed', allDone: false });
    // A resize requested now stops both at the first sync window past the furthest published (15): 23.
    expect(await store.requestResize(3, '{}')).toBe(true);
    expect((await a.publish(15, new Map(), true, ta, every)).stopAt).toBe(23);
    expect(await b.wait(15, 10, every)).toMatchObject({ status: 'passed', stopAt: 23 });
    // A re-run of a window already covered writes nothing.
    expect((await a.publish(12, new Map(), false, ta, span)).fresh).toBe(false);
    // Without span, a publish past a gap is still refused.
    expect(await b.publish(20, new Map(), false, tb, { ...span, span: false })).toMatchObject({ fresh: false });
  });

  it('refuses a publish past a gap (the store lost the shard’s previous one)', async () => {
    const store = await make(2);
    const [a, b] = [store.exchange(0, 2), store.exchange(1, 2)];
    const [ta, tb] = [(await a.claim())!.token, (await b.claim())!.token];
    await a.publish(0, new Map(), false, ta);
    expect(await a.publish(2, new Map([[1, batch(1, 1)]]), false, ta)).toMatchObject({
      status: 'waiting',
      fresh: false,
    });
    await b.publish(0, new Map(), false, tb);
    await b.publish(1, new Map(), false, tb);
    expect(await b.barrierProgress(1)).toMatchObject({ missing: [0] });
    expect(messages(await b.inboundOf(2))).toBe(0);
  });

  it('drops the running job keys', async () => {
    const store = await make(1);
    const x = store.exchange(0, 1);
    const t = (await x.claim())!.token;
    await x.saveSnapshot(Buffer.from('s'), 0, t);
    await x.saveCheckpoint(1, '{}', []);
    await store.dropTransport(1);
    expect(await store.snapshots(1)).toEqual([null]);
    expect(await store.checkpoints()).toEqual(new Map());
    expect((await x.claim())!.token).toBe('1');
  });
});

describe('InMemoryShardStore restart (what appendfsync everysec may lose)', () => {
  it('goes back to the last fsync plus a prefix of the writes since', async () => {
    const store = new InMemoryShardStore({ shards: 1 });
    const x = store.exchange(0, 1);
    await x.claim();
    store.fsync();
    await x.claim();
    await x.claim();
    expect(store.unsynced).toBe(2);
    store.restart(1);
    expect((await x.claim())!.token).toBe('3');
    // The claim of token 3 was not synced: a restart hands it out again.
    store.restart(0);
    expect((await x.claim())!.token).toBe('3');
    store.fsync();
    store.restart(0);
    expect((await x.claim())!.token).toBe('4');
  });
});
