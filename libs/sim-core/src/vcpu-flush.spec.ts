import { ConfigPatch, smallConfig } from './testing/sim-config.fixture';
import {
  FK_ASID_ENL,
  FK_ASID_FULL,
  FK_ASID_VMCB02,
  FK_FULL,
  FK_HV_ASID,
  FK_INVEPT,
  FK_INVEPT_GLOBAL,
} from './flush-kind';
import { F_DST, F_P0, F_TYPE, Msg, MSG_WIDTH, Outbox } from './message';
import { ShardSim } from './shard';
import { TAG_COMBINED, TAG_INVALID } from './tlb';
import type { VcpuActor } from './vcpu.actor';

interface Internals {
  vcpus: Map<number, VcpuActor>;
  ctx: { outbox: Outbox };
}

/** A one-host shard run for a few windows (so the vCPUs hold roots and entries), and its first vCPU. */
function warm(patch: ConfigPatch): { v: VcpuActor; outbox: Outbox } {
  const shard = new ShardSim(
    smallConfig({ workload: { workingSetPages: 512, accessesPerVcpu: 100000 }, ...patch }),
    0,
    1,
  );
  let inbound: Float64Array[] = [];
  for (let w = 0; w < 12; w++) inbound = [...shard.runWindow(inbound).outbound.values()];
  const s = shard as unknown as Internals;
  const v = [...s.vcpus.values()][0];
  s.ctx.outbox.clear();
  return { v, outbox: s.ctx.outbox };
}

/** Counts of the VP TLB's valid entries: combined ones by ASID, nested ones. */
function census(v: VcpuActor): { a01: number; a02: number; nested: number } {
  const out = { a01: 0, a02: 0, nested: 0 };
  for (let i = 0; i < v.tlb.entries; i++) {
    const t0 = v.tlb.tag0(i);
    if (t0 === TAG_INVALID) continue;
    if ((t0 & TAG_COMBINED) === 0) out.nested++;
    else if (((t0 >>> 12) & 0x3ffff) === v.asid) out.a01++;
    else if (((t0 >>> 12) & 0x3ffff) === v.asid02) out.a02++;
  }
  return out;
}

/** Types (and nCR3 of flushes) of the messages the flush sent. */
function sent(outbox: Outbox): string[] {
  const out: string[] = [];
  for (let i = 0; i < outbox.count; i++) {
    const o = i * MSG_WIDTH;
    const type = outbox.buf[o + F_TYPE];
    out.push(
      type === Msg.NestedFlush ? `NestedFlush(${outbox.buf[o + F_P0 + 1]})@${outbox.buf[o + F_DST]}` : Msg[type],
    );
  }
  return out;
}

/** Scope of the vCPU-level flushes (docs/flush-semantics.md, rows on flush_tlb_current, flush_tlb_all and ASIDs). */
describe('vCPU flushes by vendor, platform, policy and VMCB', () => {
  it('AMD vmcb01 with the enlightened TLB: ASID flush of first-level entries, shared nested translations kept, nothing sent', () => {
    const { v, outbox } = warm({});
    expect(census(v).a01).toBeGreaterThan(0);
    v.flushes.flushCurrent(30000);
    expect(census(v).a01).toBe(0);
    expect(sent(outbox)).toEqual([]);
    expect(v.s.lastFlushKind).toBe(FK_ASID_ENL);
  });

  it('AMD vmcb01 with e5c972c1fada: a synchronous HvCallFlushGuestPhysicalAddressSpace(root) first', () => {
    const { v, outbox } = warm({ kvm: { policy: 'overhaul+hv-flush-current' } });
    const calls = v.s.waitingCalls; // the root load's own hypercall may still be in L0's queue
    v.flushes.flushCurrent(30000);
    expect(sent(outbox)).toEqual(['HvFlush']);
    expect(outbox.buf[F_P0 + 1]).toBe(v.s.rootPage);
    expect(v.s.waitingCalls).toBe(calls + 1);
    expect(v.s.lastFlushKind).toBe(FK_HV_ASID);
  });

  it("AMD vmcb02 (L3 running), even with the fix: a full flush of vmcb02's ASID, the partition drops that nCR3, no hypercall", () => {
    const { v, outbox } = warm({ kvm: { policy: 'overhaul+hv-flush-current' } });
    v.s.inL3 = true;
    const before = census(v);
    const calls = v.s.waitingCalls;
    v.flushes.flushCurrent(30000);
    expect(census(v)).toEqual({ ...before, a02: 0 });
    expect(sent(outbox)).toEqual([`NestedFlush(${v.s.rootPage})@-1`]);
    expect(v.flushes.maskedUntil(v.s.rootPage)).toBeGreaterThan(30000);
    expect(v.s.waitingCalls).toBe(calls);
    expect(v.s.lastFlushKind).toBe(FK_ASID_VMCB02);
  });

  it("AMD without the enlightenment: a full ASID flush, the partition drops the root's nCR3 (masked for this vCPU until applied)", () => {
    const { v, outbox } = warm({ platform: { enlightenedTlb: false } });
    v.flushes.flushCurrent(30000);
    expect(census(v).a01).toBe(0);
    expect(sent(outbox)).toEqual([`NestedFlush(${v.s.rootPage})@-1`]);
    expect(v.flushes.maskedUntil(v.s.rootPage)).toBe(32000);
    expect(v.flushes.maskedUntil(v.s.rootPage + 1)).toBe(0);
    expect(v.s.lastFlushKind).toBe(FK_ASID_FULL);
  });

  it('Intel: INVEPT single-context of the EPTP, here and in the partition', () => {
    const { v, outbox } = warm({ platform: { vendor: 'intel' } });
    v.flushes.flushCurrent(30000);
    for (let i = 0; i < v.tlb.entries; i++)
      if (v.tlb.tag0(i) !== TAG_INVALID) expect(v.tlb.rootOf(i)).not.toBe(v.s.rootPage);
    expect(sent(outbox)).toEqual([`NestedFlush(${v.s.rootPage})@-1`]);
    expect(v.s.lastFlushKind).toBe(FK_INVEPT);
  });

  it('KVM_REQ_TLB_FLUSH: bare metal flushes everything the processor caches', () => {
    const { v } = warm({ platform: { l0: 'none' } });
    expect(census(v).nested).toBeGreaterThan(0);
    v.flushes.flushAll(30000);
    expect(census(v)).toEqual({ a01: 0, a02: 0, nested: 0 });
    expect(v.s.lastFlushKind).toBe(FK_FULL);
  });

  it('KVM_REQ_TLB_FLUSH: Intel under Hyper-V is INVEPT all-context, the partition drops everything', () => {
    const { v, outbox } = warm({ platform: { vendor: 'intel' } });
    v.flushes.flushAll(30000);
    expect(v.tlb.countValid()).toBe(0);
    expect(sent(outbox)).toEqual(['NestedFlush(-1)@-1']);
    expect(v.s.lastFlushKind).toBe(FK_INVEPT_GLOBAL);
  });

  it('KVM_REQ_TLB_FLUSH: AMD under Hyper-V is flush_tlb_current (before v6.3 the enlightened ASID flush; with the fix a hypercall first)', () => {
    const old = warm({});
    old.v.flushes.flushAll(30000);
    expect(old.v.s.lastFlushKind).toBe(FK_ASID_ENL);
    const fixed = warm({ kvm: { policy: 'overhaul+hv-flush-current' } });
    fixed.v.flushes.flushAll(30000);
    expect(sent(fixed.outbox)).toEqual(['HvFlush']);
  });

  it('ASID roll-over (TLB_CONTROL_FLUSH_ALL_ASID): first-level entries only under the enlightenment, everything without it', () => {
    const enl = warm({ platform: { nestedCache: 'vp' } });
    const nested = census(enl.v).nested;
    expect(nested).toBeGreaterThan(0);
    enl.v.flushes.flushAllAsids(30000);
    expect(census(enl.v)).toEqual({ a01: 0, a02: 0, nested });
    const off = warm({ platform: { enlightenedTlb: false } });
    off.v.flushes.flushAllAsids(30000);
    expect(off.v.tlb.countValid()).toBe(0);
    expect(sent(off.outbox)).toEqual(['NestedFlush(-1)@-1']);
  });
});
