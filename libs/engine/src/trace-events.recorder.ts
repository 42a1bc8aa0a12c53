import {
  decodeMessage,
  LOCAL_EVENT_WIDTH,
  LOCAL_NESTED_PAIR,
  LOCAL_RSM,
  LOCAL_SMI,
  F_DST,
  F_SRC,
  F_TYPE,
  Msg,
  MSG_WIDTH,
  REQ_FREE_OBSOLETE_ROOTS,
  REQ_TLB_FLUSH,
  REQ_TLB_FLUSH_CURRENT,
  SimConfig,
  Topology,
} from '@tlbsim/sim-core';
import type { RunReport } from './report';

/**
 * `tlbsim run --trace-out` and a finished job's `GET /api/jobs/:id/trace`
 * (the job replayed in the coordinator): the messages between the simulated actors of
 * chosen VMs, as Chrome trace-event JSON (Perfetto, `about://tracing`): one
 * track per vCPU, per L0 and per VM's MMU (its KVM side), in simulated
 * time. It reads the messages each window sent after the window ran, so
 * the run (and its digest) is the same with tracing on.
 */

/** Most events a trace may hold by default (about 150 bytes each in the file). @defaultValue 500000 */
export const TRACE_EVENTS_DEFAULT = 500_000;

/** Most events `--trace-max-events` allows. @defaultValue 5000000 */
export const TRACE_EVENTS_MAX = 5_000_000;

/** One Chrome trace event (`ts` and `dur` in microseconds of simulated time). */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'i' | 'M';
  ts?: number;
  dur?: number;
  s?: 't';
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/** Track (thread) id of a VM's MMU: after every actor id. */
const MMU_TID_BASE = 1 << 30;

/** The names of a `kvm_make_request` bit set. */
function requestNames(bits: number): string {
  const names = [
    bits & REQ_FREE_OBSOLETE_ROOTS ? 'KVM_REQ_MMU_FREE_OBSOLETE_ROOTS' : '',
    bits & REQ_TLB_FLUSH ? 'KVM_REQ_TLB_FLUSH' : '',
    bits & REQ_TLB_FLUSH_CURRENT ? 'KVM_REQ_TLB_FLUSH_CURRENT' : '',
  ];
  return names.filter(Boolean).join('|');
}

/** Names and categories of the vCPU-local events (sim-core local-events.ts). */
const LOCAL_NAMES: Record<number, [string, string]> = {
  [LOCAL_SMI]: ['SMI: enter_smm', 'smm'],
  [LOCAL_RSM]: ['RSM: emulator_leave_smm', 'smm'],
  [LOCAL_NESTED_PAIR]: ['nested VMRUN + #VMEXIT (no L3 time)', 'nested'],
};

/** Hypercall names by kind. */
const HYPERCALLS = ['HvCallFlushGuestPhysicalAddressSpace', 'HvCallFlushGuestPhysicalAddressList'];

/** Collects the trace of one run; {@link TraceRecorder.full} once it holds `maxEvents`. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly topo: Topology;
  private readonly pending = new Map<string, { ts: number; args: Record<string, unknown>; pid: number }>();
  private readonly named = new Set<number>();
  /** The window the trace passed its limit in, or null. */
  fullAt: number | null = null;

  /**
   * @param vms - fleet-wide VM numbers to trace (every VM when null)
   * @param maxEvents - the limit; past it the run stops and the trace is refused
   */
  constructor(
    cfg: SimConfig,
    private readonly vms: ReadonlySet<number> | null,
    private readonly maxEvents: number,
  ) {
    this.topo = new Topology(cfg);
  }

  /** True once the trace passed its limit. */
  get full(): boolean {
    return this.fullAt !== null;
  }

  /** Takes a window's sent messages (`runInProcess`'s `onSent`). */
  onSent(sent: Float64Array, window: number): void {
    for (let o = 0; o < sent.length && !this.full; o += MSG_WIDTH) this.message(sent, o);
    if (this.events.length > this.maxEvents && this.fullAt === null) this.fullAt = window;
  }

  /** Takes a window's vCPU-local events (`runInProcess`'s `onLocalEvents`): SMI, RSM, nested pairs with no L3 time. */
  onLocalEvents(events: readonly number[], window: number): void {
    for (let o = 0; o + LOCAL_EVENT_WIDTH <= events.length && !this.full; o += LOCAL_EVENT_WIDTH) {
      const [kind, timeNs, vcpu] = [events[o], events[o + 1], events[o + 2]];
      if (!this.traced(this.vmOf(vcpu))) continue;
      const [name, cat] = LOCAL_NAMES[kind] ?? [`local event ${kind}`, 'local'];
      this.instant(this.vcpuTrack(vcpu), timeNs / 1000, name, cat);
    }
    if (this.events.length > this.maxEvents && this.fullAt === null) this.fullAt = window;
  }

  /** The fleet-wide VM of a vCPU actor, or null for kvm and l0. */
  private vmOf(actor: number): number | null {
    if (actor < 0 || this.topo.roleOf(actor) !== 2) return null;
    const host = this.topo.hostOf(actor);
    return this.topo.globalVm(host, Math.floor(this.topo.hostVcpuIndex(actor) / this.topo.vcpusPerVm));
  }

  private traced(vm: number | null): boolean {
    return vm !== null && (this.vms === null || this.vms.has(vm));
  }

  /** A vCPU's track, named on first use ("VM 3 vCPU 1"). */
  private vcpuTrack(actor: number): { pid: number; tid: number } {
    const pid = this.topo.hostOf(actor);
    const vm = this.vmOf(actor)!;
    this.name(pid, actor, `VM ${vm} vCPU ${this.topo.hostVcpuIndex(actor) % this.topo.vcpusPerVm}`);
    return { pid, tid: actor };
  }

  /** A VM's MMU track (its KVM side). */
  private mmuTrack(vm: number): { pid: number; tid: number } {
    const pid = Math.floor(vm / this.topo.vmsPerHost);
    this.name(pid, MMU_TID_BASE + vm, `VM ${vm} MMU (kvm)`);
    return { pid, tid: MMU_TID_BASE + vm };
  }

  /** A host's L0 track. */
  private l0Track(host: number): { pid: number; tid: number } {
    this.name(host, this.topo.l0Id(host), `L0 (host ${host})`);
    return { pid: host, tid: this.topo.l0Id(host) };
  }

  private name(pid: number, tid: number, name: string): void {
    if (this.named.has(tid)) return;
    this.named.add(tid);
    if (!this.named.has(-1 - pid)) {
      this.named.add(-1 - pid);
      this.events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `host ${pid}` } });
    }
    this.events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
  }

  private instant(track: { pid: number; tid: number }, ts: number, name: string, cat: string, args = {}): void {
    this.events.push({ name, cat, ph: 'i', s: 't', ts, ...track, args });
  }

  /** One message record, if it concerns a traced VM. */
  private message(b: Float64Array, o: number): void {
    const type = b[o + F_TYPE] as Msg;
    const src = b[o + F_SRC];
    const dst = b[o + F_DST];
    // A completion ends the hypercall it answers, if that one is traced (the caller may be kvm: no VM to filter on).
    if (type === Msg.HvFlushDone) return this.hypercallEnd(b[o] / 1000, dst, decodeMessage(b, o).fields.callId);
    const vcpu = this.vmOf(src) !== null ? src : this.vmOf(dst) !== null ? dst : -1;
    const m = decodeMessage(b, o);
    const ts = m.timeNs / 1000;
    const host = this.topo.hostOf(src);
    const vmField = m.fields.vm === undefined ? null : this.topo.globalVm(host, m.fields.vm);
    const vm = vcpu >= 0 ? this.vmOf(vcpu) : vmField;
    if (!this.traced(vm)) return;
    this.byType(type, m.fields, ts, vcpu, vm!, host, { src, dst });
  }

  /** The event(s) of one traced message. */
  private byType(
    type: Msg,
    f: Record<string, number>,
    ts: number,
    vcpu: number,
    vm: number,
    host: number,
    ends: { src: number; dst: number },
  ): void {
    const onVcpu = (name: string, cat: string, args = {}): void =>
      vcpu >= 0 ? this.instant(this.vcpuTrack(vcpu), ts, name, cat, args) : undefined;
    switch (type) {
      case Msg.Request:
        return onVcpu(`kvm_make_request ${requestNames(f.requests)}`, 'flush-request', { arg: f.arg });
      case Msg.RootAcquire:
        return onVcpu('kvm_mmu_load: root wanted', 'root', { role: f.role });
      case Msg.RootGrant:
        return onVcpu('root load', 'root', { page: f.page, inc: f.inc, role: f.role });
      case Msg.RootPut:
        return this.instant(this.mmuTrack(vm), ts, 'kvm_tdp_mmu_put_root', 'root', { inc: f.inc, vcpuActor: vcpu });
      case Msg.PgdSwitch:
        return onVcpu('nested transition: svm_load_mmu_pgd', 'nested', { page: f.page, role: f.role });
      case Msg.Report:
        return onVcpu('stale hit reported', 'stale-hit', { gpa: f.gpa, hpa: f.hpa, nested: f.gva < 0 });
      case Msg.InvalDone:
        return onVcpu("invalidation's old pages freed", 'mmu', { seq: f.seq });
      case Msg.NestedFill:
        return onVcpu('L0 nested translation filled', 'nested-fill', { gpa: f.gpa, hpa: f.hpa });
      case Msg.VcpuMigrate:
        return f.chunk === 0 ? onVcpu('moves to another VP', 'migration') : undefined;
      case Msg.Remap:
        return this.instant(this.mmuTrack(vm), ts, 'SPTE change', 'mmu', { gpa: f.gpa, pages: f.count });
      case Msg.HvFlush:
        return this.hypercallStart(ts, host, vm, ends.src, f);
      case Msg.HvFlushApply:
        return this.instant(this.l0Track(host), ts, 'flush applied on the partition', 'flush', { vm, kind: f.kind });
      default:
        return undefined;
    }
  }

  private hypercallStart(ts: number, host: number, vm: number, caller: number, f: Record<string, number>): void {
    const args = { vm, kind: HYPERCALLS[f.kind], pages: f.pages, callerActor: caller };
    this.pending.set(`${caller}:${f.callId}`, { ts, args, pid: host });
  }

  private hypercallEnd(ts: number, caller: number, callId: number): void {
    const key = `${caller}:${callId}`;
    const start = this.pending.get(key);
    if (!start) return;
    this.pending.delete(key);
    const track = this.l0Track(start.pid);
    const name = String(start.args.kind);
    this.events.push({ name, cat: 'hypercall', ph: 'X', ts: start.ts, dur: ts - start.ts, ...track, args: start.args });
  }

  /**
   * Ends the trace: hypercalls still in L0's queue at the end of the run
   * (instants, `completed: false`), and the report's witnesses of traced
   * VMs on their vCPU's track, marked `witness: true`, with their chains.
   */
  finish(report: RunReport): void {
    for (const p of this.pending.values())
      this.instant(this.l0Track(p.pid), p.ts, String(p.args.kind), 'hypercall', { ...p.args, completed: false });
    this.pending.clear();
    for (const w of report.violations.witnesses) {
      if (!this.traced(w.vm)) continue;
      const vmOnHost = w.vm % this.topo.vmsPerHost;
      const actor = this.topo.vcpuId(w.host, vmOnHost, w.vcpu);
      this.instant(this.vcpuTrack(actor), w.timeNs / 1000, `violation: ${w.class}`, 'violation', {
        witness: true,
        page: w.pageHpa,
        chain: w.lines,
      });
    }
  }

  /** The trace file's text: `{"traceEvents": [...], ...}`, one event a line. */
  *jsonChunks(report: RunReport): Iterable<string> {
    const meta = { scenario: report.scenario, seed: report.seed, policy: report.policy, digest: report.digest };
    yield `{"displayTimeUnit":"ns","otherData":${JSON.stringify(meta)},"traceEvents":[\n`;
    for (let i = 0; i < this.events.length; i++)
      yield `${JSON.stringify(this.events[i])}${i + 1 < this.events.length ? ',' : ''}\n`;
    yield ']}\n';
  }
}
