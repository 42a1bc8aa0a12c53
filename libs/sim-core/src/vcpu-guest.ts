import { C } from './counters';
import { eventRatePerNs } from './costs';
import type { VcpuActor } from './vcpu.actor';

/*
 * What a vCPU does on its own, apart from accesses and KVM's requests: the
 * ASIDs it gets on its VP, and the guest's own events (CR3 switches,
 * INVLPGs, and the first draw of every timed event).
 */

/**
 * ASIDs on the vCPU's VP. Intel: VPIDs belong to the vCPU (hv+1, vpid02
 * above the host's vCPUs). AMD: `new_asid()` from the VP's allocator for
 * both VMCBs; when the ASIDs run out the VP flushes every ASID
 * (TLB_CONTROL_FLUSH_ALL_ASID; under the enlightenment only first-level
 * entries go).
 */
export function assignAsids(v: VcpuActor, afterRollover: boolean): void {
  const s = v.s;
  const ctx = v.c;
  const hv = ctx.topo.hostVcpuIndex(v.id);
  if (ctx.flags.intel) {
    s.asid01 = hv + 1;
    s.asid02 = hv + 1 + ctx.topo.vcpusPerHost;
  } else {
    const a = v.vp.newAsid();
    const b = v.vp.newAsid();
    s.asid01 = a.asid;
    s.asid02 = b.asid;
    if (a.flushAll || b.flushAll) v.flushes.flushAllAsids(ctx.window * ctx.windowNs);
    if (b.flushAll) s.asid01 = v.vp.newAsid().asid;
  }
  s.asidGen = v.vp.asidGen;
  v.vp.assign(s.asid01, v.regionBase);
  v.vp.assign(s.asid02, v.regionBase);
  if (afterRollover) ctx.counters[C.asidReassignments]++;
}

/**
 * A vCPU that arrived on its VP (a migration): a new pCPU for KVM. SVM
 * gives it new ASIDs (`svm->current_vmcb->cpu != vcpu->cpu`: generation
 * reset, `new_asid()`); VMX makes `KVM_REQ_TLB_FLUSH` (`vmx_vcpu_load_vmcs`).
 */
export function arriveOnVp(v: VcpuActor): void {
  const ctx = v.c;
  const t = ctx.window * ctx.windowNs;
  ctx.counters[C.vcpuMigrations]++;
  if (ctx.flags.intel) {
    assignAsids(v, false);
    if (v.s.rootPage >= 0) v.flushes.flushAll(t);
  } else {
    assignAsids(v, true);
    // A new ASID reaches none of the old ASID's translations, except those
    // derived from nested tables under the enlightenment (vmcb01 only):
    // on bare metal, without the enlightenment or in vmcb02 the model's
    // nested entries (which carry no ASID) must go.
    if (!ctx.flags.enlightened || v.s.inL3) v.flushes.dropNestedForNewAsid(t);
  }
}

/** The first draw of every guest event: CR3 switches and INVLPGs by access count, the timed ones by time. */
export function scheduleGuestEvents(v: VcpuActor): void {
  const cfg = v.c.cfg;
  const w = cfg.workload;
  const ev = cfg.events;
  const perVcpu = v.c.topo.vcpusPerHost;
  const s = v.s;
  const k = v.costs.sampling;
  s.nextCr3At = v.prng.nextExpGap((w.cr3SwitchesPerMillionAccesses * k) / 1e6);
  s.nextInvlpgAt = v.prng.nextExpGap((w.invlpgPerMillionAccesses * k) / 1e6);
  s.nextNestedNs = v.prng.nextExpGap(eventRatePerNs(cfg, ev.nestedTransitionsPerSec, perVcpu));
  s.nextCr4Ns = v.prng.nextExpGap(eventRatePerNs(cfg, ev.cr4WritesPerSec, perVcpu));
  s.nextSmiNs = v.prng.nextExpGap(eventRatePerNs(cfg, ev.smiPerSec, perVcpu));
  s.nextCr0Ns = v.prng.nextExpGap(eventRatePerNs(cfg, ev.cr0WpTogglesPerSec, perVcpu));
  s.process = 0;
  s.pcid = w.pcid ? 1 : 0;
}

/** Guest CR3 switches and INVLPGs that fell due (they are scheduled by access count). */
export function guestEvents(v: VcpuActor): void {
  const w = v.c.cfg.workload;
  const s = v.s;
  const k = v.costs.sampling;
  const asid = s.inL3 ? v.asid02 : v.asid;
  if (s.accessesDone >= s.nextCr3At) {
    s.process = v.prng.nextInt(w.processes);
    if (w.pcid) s.pcid = s.process + 1;
    else v.tlb.guestCr3Switch(asid, 0, false);
    v.c.counters[C.cr3Switches]++;
    s.nextCr3At = s.accessesDone + v.prng.nextExpGap((w.cr3SwitchesPerMillionAccesses * k) / 1e6);
  }
  if (s.accessesDone >= s.nextInvlpgAt) {
    const gva = (s.process << 20) + v.prng.nextInt(w.workingSetPages);
    v.tlb.guestInvlpg(asid, s.pcid, gva);
    v.c.counters[C.invlpg]++;
    s.nextInvlpgAt = s.accessesDone + v.prng.nextExpGap((w.invlpgPerMillionAccesses * k) / 1e6);
  }
}
