import { KernelAssertionError } from './kernel-assertion.error';
import { ShardSim } from './shard';
import { allShardNeighbours, checkOutbound, hostShardsOf, shardNeighboursOf } from './shard-neighbours';
import { smallConfig } from './testing/sim-config.fixture';

/** Which shards can send to which: the exchange waits only on these. */
describe('shardNeighboursOf', () => {
  const fleet = (placement: 'block' | 'round-robin', l1VpsPerHost = 0) =>
    smallConfig({
      fleet: { hosts: 4, vmsPerHost: 2, vcpusPerVm: 2, memoryMiBPerVm: 64, l1VpsPerHost },
      run: { ...smallConfig().run, placement },
    });

  it('gives shards that hold whole hosts no neighbours (block placement, hosts >= shards)', () => {
    const n = shardNeighboursOf(fleet('block'), 4);
    expect(hostShardsOf(fleet('block'), 4)).toEqual([[0], [1], [2], [3]]);
    expect(n.into).toEqual([[], [], [], []]);
    expect(n.outOf).toEqual([[], [], [], []]);
  });

  it('links the shards a host spans: block placement cutting hosts links only adjacent shards', () => {
    // 4 hosts of 6 actors over 3 shards: host 1 is cut between shards 0 and 1, host 2 between 1 and 2.
    const n = shardNeighboursOf(fleet('block'), 3);
    expect(n.into).toEqual([[1], [0, 2], [1]]);
  });

  it('links every shard with every other under round-robin placement', () => {
    const n = shardNeighboursOf(fleet('round-robin'), 3);
    expect(n).toEqual(allShardNeighbours(3));
    expect(shardNeighboursOf(fleet('round-robin'), 1).into).toEqual([[]]);
  });

  it('counts a host’s VPs, not where its vCPUs start (shared VPs: fewer VPs than vCPUs)', () => {
    // 2 VPs per host: their slots are the first two vCPU slots, so a host spans fewer shards.
    const spans = hostShardsOf(fleet('round-robin', 2), 6);
    expect(spans.every((s) => s.length <= 4)).toBe(true);
    expect(spans[0]).toEqual([0, 1, 2, 3]);
  });

  it('holds the kernel to it: every batch a shard sends goes to an out-neighbour', () => {
    for (const placement of ['block', 'round-robin'] as const) {
      const cfg = fleet(placement);
      const shards = 3;
      const n = shardNeighboursOf(cfg, shards);
      const sims = Array.from({ length: shards }, (_, i) => new ShardSim(cfg, i, shards));
      let inbound: Float64Array[][] = sims.map(() => []);
      let crossed = 0;
      for (let w = 0; w < 40; w++) {
        const outs = sims.map((s, i) => s.runWindow(inbound[i]));
        outs.forEach((o, i) => checkOutbound(n, i, o.outbound));
        for (const o of outs) for (const b of o.outbound.values()) crossed += b.length;
        inbound = sims.map((_, d) => outs.flatMap((o) => (o.outbound.get(d) ? [o.outbound.get(d)!] : [])));
      }
      expect(crossed).toBeGreaterThan(0);
    }
  });

  it('refuses a batch to a shard that is not an out-neighbour, naming both', () => {
    const n = shardNeighboursOf(fleet('block'), 4);
    expect(() => checkOutbound(n, 0, new Map([[2, new Float64Array(8)]]))).toThrow(KernelAssertionError);
    expect(() => checkOutbound(n, 0, new Map([[2, new Float64Array(8)]]))).toThrow(/shard 0 sent to shard 2/);
    expect(() => checkOutbound(n, 0, new Map([[2, new Float64Array(0)]]))).not.toThrow();
  });
});
