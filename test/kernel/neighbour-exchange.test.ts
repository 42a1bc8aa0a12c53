import { ShardSim, shardNeighboursOf, SimConfig } from '@tlbsim/sim-core';
import { buildReport, InMemoryTransport, mergePartials, runInProcess, runShard } from '@tlbsim/engine';
import { rootReuseSmall } from '../support/scenario.fixture';

/**
 * Shards wait only for the shards that can send to them (sim-core
 * shard-neighbours.ts): shards that share no host run free, and the digest
 * is the same whether shards share hosts or not.
 */
describe('exchange with neighbours only', () => {
  const seed = 7;
  const cfg = rootReuseSmall([`seed=${seed}`, 'workload.accessesPerVcpu=30000', 'fleet.hosts=4']);
  const placed = (placement: 'block' | 'round-robin'): SimConfig => ({ ...cfg, run: { ...cfg.run, placement } });

  /** Runs `shards` shards by hand; shard `held` starts only once shard `runner` went `ahead` windows (or gave up). */
  async function runHeld(c: SimConfig, shards: number, held: number, runner: number, ahead: number) {
    const sims = Array.from({ length: shards }, (_, i) => new ShardSim(c, i, shards));
    const transport = new InMemoryTransport(shards, undefined, shardNeighboursOf(c, shards));
    const reached = new Int32Array(shards).fill(-1);
    let release!: () => void;
    const go = new Promise<void>((r) => (release = r));
    const onWindow = (s: ShardSim, window: number): void => {
      reached[s.shard] = window;
      if (s.shard === runner && window + 1 >= ahead) release();
    };
    const runs = sims.map(async (s) => {
      if (s.shard === held) await go;
      return runShard(s, transport, { onWindow });
    });
    // A runner that can not get ahead (it waits for the held shard) stalls: let the event loop drain, then release.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    const runnerAheadBeforeRelease = reached[runner] + 1;
    release();
    const results = await Promise.all(runs);
    const merged = mergePartials(
      results.map((r) => r.partial),
      c.run.witnessesMax,
    );
    const report = buildReport(c, merged, results[0].windows, sims[0].windowNs, shards);
    return { digest: report.digest, runnerAheadBeforeRelease, windows: results.map((r) => r.windows) };
  }

  it(`a shard that shares no host runs ahead of one not started, same digest (seed ${seed})`, async () => {
    const base = await runInProcess(cfg, { shards: 1 });
    expect(shardNeighboursOf(placed('block'), 2).into).toEqual([[], []]);
    const r = await runHeld(placed('block'), 2, 0, 1, 20);
    expect(r.runnerAheadBeforeRelease).toBeGreaterThanOrEqual(20);
    expect(r.windows).toEqual([base.metrics.windows, base.metrics.windows]);
    expect(r.digest).toBe(base.digest);
  });

  it(`a shard that shares a host waits for it: not one window ahead (seed ${seed})`, async () => {
    const base = await runInProcess(cfg, { shards: 1 });
    const r = await runHeld(placed('round-robin'), 2, 0, 1, 20);
    // It ran window 0 and waits in its exchange for shard 0's window 0 (onWindow runs after the exchange).
    expect(r.runnerAheadBeforeRelease).toBe(0);
    expect(r.digest).toBe(base.digest);
  });

  it(`the digest is the same for placements that share hosts, share none, or both (seed ${seed})`, async () => {
    const base = await runInProcess(cfg, { shards: 1 });
    const cases: ['block' | 'round-robin', number, string][] = [
      ['block', 2, 'none shared'],
      ['block', 4, 'none shared'],
      ['block', 3, 'hosts cut between neighbours'],
      ['block', 5, 'some shared, some not'],
      ['round-robin', 3, 'every host on every shard'],
    ];
    for (const [placement, shards, what] of cases) {
      const n = shardNeighboursOf(placed(placement), shards);
      const links = n.into.reduce((a, l) => a + l.length, 0);
      if (what === 'none shared') expect(links).toBe(0);
      else expect(links).toBeGreaterThan(0);
      const r = await runInProcess(placed(placement), { shards });
      expect({ placement, shards, digest: r.digest }).toEqual({ placement, shards, digest: base.digest });
    }
  });
});
