import { buildScenario } from '@tlbsim/contracts';
import { InMemoryShardStore } from './in-memory-shard.store';
import { JobMeta } from './job.repository';
import { PROGRESS_EVERY_MS } from './jobs.constants';
import { afterStoreError } from './protocol/shard-run.protocol';
import { ShardExecutionService } from './shard-execution.service';
import { ShardInterruptedError } from './shard-interrupted.error';
import { ShardRunPorts } from './shard-run.ports';
import { BarrierStatus, ShardExchangeStore, ShardStore } from './shard.store';

const CONFIG = buildScenario(
  { name: 'spec', fleet: { hosts: 1, vmsPerHost: 2, vcpusPerVm: 1 }, workload: { accessesPerVcpu: 50 } },
  [],
);
const META: JobMeta = {
  id: 'j',
  name: 'spec',
  policy: CONFIG.kvm.policy,
  seed: CONFIG.seed,
  shards: 2,
  groupId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  accessesTotal: 0,
  windowsEstimate: 1,
  config: CONFIG,
};

/** Ports that record the job's failures and events, over `store`. */
function portsOf(store: ShardStore, failures: string[], meta = META): ShardRunPorts {
  return {
    meta: () => Promise.resolve(meta),
    storeOn: () => store,
    append: (_id, e) => store.append(JSON.stringify(e)),
    fail: (_meta, error) => Promise.resolve(failures.push(error)),
    complete: () => Promise.resolve(),
    commitResize: () => Promise.resolve('committed'),
    now: () => 0,
  };
}

/** `target` with some of its methods replaced (the others bound to it). */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get: (t, k) => {
      if (k in overrides) return overrides[k as keyof T];
      const v: unknown = Reflect.get(t, k);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/**
 * The in-memory store of a job whose shard 0's first publish fails with a
 * connection error; with `takeOver`, another run claims shard 0 just before
 * (the first run's lock expired while it was frozen).
 */
function failingStore(takeOver: boolean): ShardStore {
  const inner = new InMemoryShardStore({ shards: 2 });
  const exchange = (shard: number, shards: number): ShardExchangeStore => {
    const x = inner.exchange(shard, shards);
    if (shard !== 0) return x;
    return overriding(x, {
      publish: async () => {
        if (takeOver) await inner.exchange(0, shards).claim();
        throw new Error('connection reset');
      },
    });
  };
  return overriding<ShardStore>(inner, { exchange });
}

/** Runs shard 0 of a 2-shard job on `store`, its failures recorded in `failures`. */
function runShardZero(store: ShardStore, failures: string[], ports = portsOf(store, failures)): Promise<unknown> {
  return new ShardExecutionService(ports).run({ jobId: 'j', shard: 0, shards: 2 }, { workerId: 'w', store });
}

/** Runs shard 0 of 2 whose job moves to layout epoch 1 after the run's first `reads` reads of its metadata. */
function runAfterLayoutMoves(store: ShardStore, failures: string[], reads: number): Promise<unknown> {
  let n = 0;
  const ports = { ...portsOf(store, failures), meta: () => Promise.resolve({ ...META, epoch: n++ < reads ? 0 : 1 }) };
  return runShardZero(store, failures, ports);
}

describe('ShardExecutionService', () => {
  it('a run that hits an error fails the job, naming the shard', async () => {
    const store = failingStore(false);
    const failures: string[] = [];
    const run = runShardZero(store, failures);
    await expect(run).rejects.toThrow('connection reset');
    expect(failures).toEqual(['shard 0: connection reset']);
  });

  it('a run fenced off by a later claim hands its shard back: its error fails nothing and appends nothing', async () => {
    // The later claim may be a thawed run that holds no queue job: the shard's queue job must outlive this run.
    const store = failingStore(true);
    const failures: string[] = [];
    const run = runShardZero(store, failures);
    await expect(run).rejects.toBeInstanceOf(ShardInterruptedError);
    expect(failures).toEqual([]);
    expect((await store.events()).filter((e) => e.includes('shard-failed'))).toEqual([]);
  });

  it.each([
    ['before', false],
    ['after', true],
  ])(
    'a claim that rejects with a lost connection (%s the store applied it) hands the shard back, fails nothing',
    async (_when, applied) => {
      const inner = new InMemoryShardStore({ shards: 2 });
      const exchange = (shard: number, shards: number): ShardExchangeStore => {
        const x = inner.exchange(shard, shards);
        return overriding(x, {
          claim: async () => {
            if (applied) await x.claim();
            throw new Error('Command aborted due to connection close');
          },
        });
      };
      const store = overriding<ShardStore>(inner, { exchange });
      const failures: string[] = [];
      const run = runShardZero(store, failures);
      await expect(run).rejects.toBeInstanceOf(ShardInterruptedError);
      expect(failures).toEqual([]);
      // The next run claims again and goes on (a claim that landed unheard only moved the token).
      const next = await inner.exchange(0, 2).claim();
      expect(next?.token).toBe(applied ? '2' : '1');
    },
  );

  it('a run whose claim came after a resize committed ends as superseded before it restores anything', async () => {
    // Seed 4961: the run read the old layout, froze, and claimed after the commit (the new layout's snapshot).
    const store = new InMemoryShardStore({ shards: 2 });
    const failures: string[] = [];
    expect(await runAfterLayoutMoves(store, failures, 1)).toBe('superseded');
    expect(failures).toEqual([]);
    expect(await store.events()).toEqual([]);
  });

  it('a run fenced off after the job moved to another layout ends as superseded', async () => {
    const store = failingStore(true);
    const failures: string[] = [];
    // The layout moves after the run's two reads (before and after its claim).
    expect(await runAfterLayoutMoves(store, failures, 2)).toBe('superseded');
    expect(failures).toEqual([]);
  });

  it('sends a periodic snapshot and runs on; a superseded reply that comes later ends the run as superseded', async () => {
    const held = heldSnapshotStore(8, 'progress:9', 'superseded');
    const failures: string[] = [];
    expect(await runOneShard(held, failures)).toBe('superseded');
    // The shard ran windows past the snapshot before its reply came, and none past the window the reply reached.
    expect(held.log.slice(held.log.indexOf('snapshot:8'))).toEqual([
      'snapshot:8',
      'progress:8',
      'progress:9',
      'release',
    ]);
    expect(failures).toEqual([]);
    expect(await held.store.partials()).toEqual(new Map());
  });

  it.each([
    ['fails the job', 'ERR the snapshot script failed'],
    ['hands the shard back after a lost connection', 'Connection is closed.'],
  ])('a periodic snapshot write that fails while the shard runs on %s, as an awaited one did', async (_what, text) => {
    const held = heldSnapshotStore(8, 'progress:9', new Error(text));
    const failures: string[] = [];
    const run = runOneShard(held, failures);
    if (afterStoreError(text) === 'hand-back') await expect(run).rejects.toBeInstanceOf(ShardInterruptedError);
    else await expect(run).rejects.toThrow(text);
    expect(held.log.slice(held.log.indexOf('snapshot:8'))).toEqual([
      'snapshot:8',
      'progress:8',
      'progress:9',
      'release',
    ]);
    expect(failures).toEqual(afterStoreError(text) === 'hand-back' ? [] : [`shard 0: ${text}`]);
  });

  it('a run that finishes with its snapshot write in flight waits for the reply: superseded, it completes nothing', async () => {
    // One snapshot in the run (after 16 of its 27 windows), its reply held until the run has nothing else to do.
    const held = heldSnapshotStore(16, null, 'superseded');
    const failures: string[] = [];
    expect(await runOneShard(held, failures)).toBe('superseded');
    expect(held.log.slice(-3)).toEqual(['progress:25', 'progress:26', 'release']);
    expect(held.log).not.toContain('complete');
    expect(await held.store.partials()).toEqual(new Map());
  });
});

/** A 1-shard job of 27 windows that snapshots every `every` windows. */
function oneShardMeta(every: number): JobMeta {
  const config = buildScenario(
    {
      name: 'spec',
      fleet: { hosts: 1, vmsPerHost: 2, vcpusPerVm: 1 },
      workload: { accessesPerVcpu: 50 },
      run: { snapshotEveryWindows: every },
    },
    [],
  );
  return { ...META, shards: 1, config };
}

/** A job's store whose first snapshot write (after `windows` windows) is held, and what the run did, in order. */
interface HeldSnapshotStore {
  store: InMemoryShardStore;
  /** `snapshot:<windows>`, `progress:<window>` (a progress event), `complete`, and `release` (of the held reply). */
  log: string[];
  windows: number;
}

/**
 * The store of a 1-shard job ({@link oneShardMeta}) whose snapshot after
 * `windows` windows is held: its reply is `reply` (an error rejects),
 * released when the run logs `releaseAt`, or else on the first macrotask
 * after the write (the whole run is microtasks on this store): a run that
 * waits for the write gets its reply then.
 */
function heldSnapshotStore(windows: number, releaseAt: string | null, reply: BarrierStatus | Error): HeldSnapshotStore {
  const store = new InMemoryShardStore({ shards: 1 });
  const log: string[] = [];
  let release = (): void => undefined;
  const held = (): Promise<BarrierStatus> =>
    new Promise((resolve, reject) => {
      release = () => {
        release = () => undefined;
        log.push('release');
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
      setImmediate(() => release());
    });
  const exchange = (shard: number, shards: number): ShardExchangeStore => {
    const x = store.exchange(shard, shards);
    return overriding(x, {
      saveSnapshot: (bytes, keepFrom, token) => {
        log.push(`snapshot:${keepFrom + 1}`);
        return keepFrom + 1 === windows ? held() : x.saveSnapshot(bytes, keepFrom, token);
      },
      appendProgress: (json, token) => {
        const e = JSON.parse(json) as { type: string; window: number };
        if (e.type === 'window-completed') log.push(`progress:${e.window}`);
        if (log[log.length - 1] === releaseAt) release();
        return x.appendProgress(json, token);
      },
      complete: (json, token) => {
        log.push('complete');
        return x.complete(json, token);
      },
    });
  };
  return { store: overriding<InMemoryShardStore>(store, { exchange }), log, windows };
}

/**
 * Runs the 1-shard job of `held` with a progress event every window; the
 * job moves to another layout after the run's two reads of its metadata
 * (before and after its claim), so a superseded run ends rather than
 * handing its shard back.
 */
function runOneShard(held: HeldSnapshotStore, failures: string[]): Promise<unknown> {
  const meta = oneShardMeta(held.windows);
  let reads = 0;
  let clock = 0;
  const ports: ShardRunPorts = {
    ...portsOf(held.store, failures, meta),
    meta: () => Promise.resolve({ ...meta, epoch: reads++ < 2 ? 0 : 1 }),
    now: () => (clock += PROGRESS_EVERY_MS),
  };
  return new ShardExecutionService(ports).run(
    { jobId: 'j', shard: 0, shards: 1 },
    { workerId: 'w', store: held.store },
  );
}
