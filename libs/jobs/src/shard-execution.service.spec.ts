import { buildScenario } from '@tlbsim/contracts';
import { InMemoryShardStore } from './in-memory-shard.store';
import { JobMeta } from './job.repository';
import { ShardExecutionService } from './shard-execution.service';
import { ShardInterruptedError } from './shard-interrupted.error';
import { ShardRunPorts } from './shard-run.ports';
import { ShardExchangeStore, ShardStore } from './shard.store';

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
function portsOf(store: ShardStore, failures: string[]): ShardRunPorts {
  return {
    meta: () => Promise.resolve(META),
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
});
