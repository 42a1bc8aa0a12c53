import { ShardSim } from '@tlbsim/sim-core';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24: a root's page goes back to the allocator only after the zap
 * worker and the RCU grace period (`kvm_tdp_mmu_put_root()`,
 * `tdp_mmu_zap_root_work`, `call_rcu`), modelled as `latency.rootFreeNs`;
 * before, roots were freed at once, so reuse could come sooner than the
 * kernel allows.
 */
describe('root free delay (latency.rootFreeNs)', () => {
  /** Roots of a run of l2-boot with SMIs only (a single shard), as the kvm actor remembers them. */
  function roots(rootFreeNs: number): { invalidNs: number; freeNs: number }[] {
    const cfg = shippedScenario('l2-boot', [
      'events.memslotUpdatesPerSec=0',
      'events.mmuNotifierInvalidationsPerSec=0',
      'run.simulatedMs=4',
      `latency.rootFreeNs=${rootFreeNs}`,
    ]);
    const shard = new ShardSim(cfg, 0, 1);
    let inbound: Float64Array[] = [];
    for (let w = 0; w < 1e6; w++) {
      const out = shard.runWindow(inbound);
      inbound = [...out.outbound.values()];
      if (out.done) break;
    }
    const kvm = shard
      .snapshot()
      .actors.map(([, s]) => s)
      .find((s) => 'rootHistory' in s)!;
    return kvm.rootHistory as { invalidNs: number; freeNs: number }[];
  }

  it('a root is freed rootFreeNs after its last put invalidated it, never sooner', () => {
    const freed = roots(1_000_000).filter((r) => r.freeNs >= 0);
    expect(freed.length).toBeGreaterThan(0);
    for (const r of freed) expect(r.freeNs - r.invalidNs).toBeCloseTo(1_000_000, 3);
  });

  it('with 0 the page is freed at once (the first version)', () => {
    const freed = roots(0).filter((r) => r.freeNs >= 0);
    expect(freed.length).toBeGreaterThan(0);
    for (const r of freed) expect(r.freeNs).toBe(r.invalidNs);
  });
});
