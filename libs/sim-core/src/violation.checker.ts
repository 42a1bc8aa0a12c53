import { C } from './counters';
import type { KvmActor } from './kvm.actor';
import { OWNER_KVM } from './page-allocator';
import { FLUSH_KIND_NAMES } from './flush-kind';
import { REPORT_NESTED } from './stale-hit.checker';

/** The four violation classes of DESIGN.md, most severe first. */
export const VIOLATION_CLASSES = ['cross-vm', 'use-after-free', 'stale-mapping', 'stale-root'] as const;

/** A violation class. */
export type ViolationClass = (typeof VIOLATION_CLASSES)[number];

/** Counter slot of each class. */
const CLASS_COUNTER: Record<ViolationClass, number> = {
  'cross-vm': C.violationsCrossVm,
  'use-after-free': C.violationsUseAfterFree,
  'stale-mapping': C.violationsStaleMapping,
  'stale-root': C.violationsStaleRoot,
};

/** One violation's causal chain, rendered like kernel trace events. */
export interface WitnessRecord {
  class: ViolationClass;
  host: number;
  /** Fleet-wide VM number. */
  vm: number;
  /** vCPU index within its VM. */
  vcpu: number;
  timeNs: number;
  /** The page the stale entry points into (the reused root page for stale-root). */
  pageHpa: string;
  lines: string[];
}

/** Host physical memory of the model starts here, so addresses look like real HPAs. */
const HOST_PHYS_BASE = 0x100000000;

/** A page number as a host physical address. */
export function hpaHex(page: number): string {
  return '0x' + (HOST_PHYS_BASE + page * 4096).toString(16);
}

function gpaHex(page: number): string {
  return '0x' + (page * 4096).toString(16);
}

function gvaHex(page: number): string {
  return '0x' + (0x7f0000000000 + page * 4096).toString(16);
}

type Event = [number, string, string, string];

/**
 * The checker's kvm half. A vCPU reports the first suspicious use of an
 * entry; here it is classified against the host's page ownership, most
 * severe class first:
 * 1. `cross-vm`: the HPA now belongs to another VM;
 * 2. `use-after-free`: the HPA is free or KVM's own (a root page);
 * 3. `stale-mapping`: same VM, but the page no longer backs that GPA;
 * 4. `stale-root`: the mapping is right, but it was filled under another
 *    root incarnation on the same (reused) page.
 */
export class ViolationChecker {
  witnesses: WitnessRecord[] = [];

  constructor(private readonly kvm: KvmActor, private readonly witnessesMax: number) {}

  /** Classifies one Report message (payload at offset p of b). */
  classify(t: number, vcpuActor: number, b: Float64Array, p: number): void {
    const kvm = this.kvm;
    const ctx = kvm.context;
    const [flags, gpa, hpa, entryInc, fillUs, curInc, gva] = [b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]];
    const hv = ctx.topo.hostVcpuIndex(vcpuActor);
    const vm = Math.floor(hv / ctx.topo.vcpusPerVm);
    const ownerVm = kvm.alloc.ownerVm[hpa];
    const ownerGpa = kvm.alloc.ownerGpa[hpa];
    let cls: ViolationClass;
    if (ownerVm >= 0 && ownerVm !== vm) cls = 'cross-vm';
    else if (ownerVm < 0) cls = 'use-after-free';
    else if (ownerGpa !== gpa || kvm.mmus[vm].map[gpa] !== hpa) cls = 'stale-mapping';
    else if (entryInc !== curInc) cls = 'stale-root';
    else { ctx.counters[C.checkerDismissed]++; return; }
    ctx.counters[CLASS_COUNTER[cls]]++;
    if (!this.wants(cls)) return;
    const tHit = t - ctx.cfg.latency.kvmRequestNs;
    const entry = { nested: (flags & REPORT_NESTED) !== 0, gpa, gva, hpa, entryInc, fillNs: fillUs * 1000, curInc, flushKind: flags >> 4 };
    const lines = this.chain(cls, tHit, hv, vm, entry);
    const rootPage = kvm.rootByInc(curInc)?.page ?? -1;
    this.witnesses.push({
      class: cls, host: kvm.host, vm: ctx.topo.globalVm(kvm.host, vm), vcpu: hv % ctx.topo.vcpusPerVm, timeNs: tHit,
      pageHpa: hpaHex(cls === 'stale-root' && rootPage >= 0 ? rootPage : hpa), lines,
    });
  }

  /** Keeps the first `witnessesMax`, plus the first of each class. */
  private wants(cls: ViolationClass): boolean {
    if (this.witnesses.length < this.witnessesMax) return true;
    return this.witnessesMax > 0 && !this.witnesses.some((w) => w.class === cls);
  }

  private chain(cls: ViolationClass, tHit: number, hv: number, vm: number,
    e: { nested: boolean; gpa: number; gva: number; hpa: number; entryInc: number; fillNs: number; curInc: number; flushKind: number }): string[] {
    const kvm = this.kvm;
    const ctx = kvm.context;
    const gvm = ctx.topo.globalVm(kvm.host, vm);
    const kt = `kvm-h${kvm.host}`;
    const vt = `vcpu-${gvm}.${hv % ctx.topo.vcpusPerVm}`;
    const ev: Event[] = [];
    const old = kvm.rootByInc(e.entryInc);
    const cur = kvm.rootByInc(e.curInc);
    if (old) ev.push([old.allocNs, kt, 'kvm_tdp_mmu_alloc_root', `vm=${gvm} root=#${old.inc} hpa=${hpaHex(old.page)} gen=${old.gen}`]);
    const what = e.nested ? `nested gpa=${gpaHex(e.gpa)}` : `combined gva=${gvaHex(e.gva)} gpa=${gpaHex(e.gpa)}`;
    ev.push([e.fillNs, vt, 'tlb_fill', `${what} -> hpa=${hpaHex(e.hpa)} under root=#${e.entryInc}`]);
    if (e.entryInc !== e.curInc && old && cur) {
      if (old.invalidNs >= 0) ev.push([old.invalidNs, kt, 'kvm_mmu_zap_all_fast', `vm=${gvm} root=#${old.inc} invalidated (obsolete)`]);
      const how = ctx.flags.flushBeforeFree ? 'after a remote TLB flush' : 'with no TLB flush';
      if (old.freeNs >= 0) ev.push([old.freeNs, kt, 'kvm_tdp_mmu_put_root', `root=#${old.inc} refcount=0: page hpa=${hpaHex(old.page)} freed ${how}`]);
      const via = cur.prevInc === old.inc ? `was root #${old.inc}` : `last used by root #${cur.prevInc}`;
      ev.push([cur.allocNs, kt, 'kvm_tdp_mmu_alloc_root', `vm=${ctx.topo.globalVm(kvm.host, cur.vm)} root=#${cur.inc} hpa=${hpaHex(cur.page)} page reused (${via})`]);
      const load = kvm.grantNs[hv];
      ev.push([load, vt, 'kvm_mmu_load', `root=#${cur.inc} nCR3=${hpaHex(cur.page)}`]);
      ev.push([load, vt, 'flush_tlb_current', FLUSH_KIND_NAMES[e.flushKind] ?? 'unknown']);
    }
    if (cls !== 'stale-root') this.pageEvents(ev, kt, e.hpa);
    ev.push([tHit, vt, 'tlb_stale_hit', `${what} -> hpa=${hpaHex(e.hpa)} from root=#${e.entryInc}, current root=#${e.curInc}: ${cls}`]);
    ev.sort((a, b) => a[0] - b[0]);
    return ev.map(([t, task, name, detail]) => `${task.padStart(14)} [${String(kvm.host).padStart(3, '0')}] ${(t / 1e9).toFixed(9)}: ${name}: ${detail}`);
  }

  /** What happened to the data page: invalidation, free, and who owns it now. */
  private pageEvents(ev: Event[], kt: string, hpa: number): void {
    const kvm = this.kvm;
    const topo = kvm.context.topo;
    const h = kvm.alloc.history.get(hpa);
    if (!h) return;
    if (h.invalNs >= 0) {
      const cfg = kvm.context.cfg;
      const flush = cfg.platform.l0 !== 'hyperv' ? 'remote flush: KVM_REQ_TLB_FLUSH to the VM\'s vCPUs'
        : cfg.kvm.undersizedRangeFlush ? 'remote flush: GPA-list hypercall of 1 page (undersized range) per loaded root'
          : 'remote flush: GPA-list hypercall per loaded root';
      ev.push([h.invalNs, kt, 'kvm_mmu_notifier_invalidate_range', `vm=${topo.globalVm(kvm.host, h.invalVm)} gpa=${gpaHex(h.invalGpa)} old hpa=${hpaHex(hpa)}; ${flush}`]);
    }
    const early = kvm.context.cfg.kvm.freeBeforeFlush ? ' before the remote flush completed' : ' after the remote flush completed';
    if (h.freedNs >= 0) ev.push([h.freedNs, kt, 'mm_page_free', `hpa=${hpaHex(hpa)}${h.invalNs >= 0 ? early : ''}`]);
    const owner = kvm.alloc.ownerVm[hpa];
    if (h.allocNs >= 0 && h.allocNs > h.freedNs && owner !== -1) {
      const to = owner === OWNER_KVM ? `kvm root #${h.rootInc}` : `vm=${topo.globalVm(kvm.host, owner)} gpa=${gpaHex(kvm.alloc.ownerGpa[hpa])}`;
      ev.push([h.allocNs, kt, 'mm_page_alloc', `hpa=${hpaHex(hpa)} -> ${to}`]);
    }
  }

  /** Snapshot state. */
  save(): Record<string, unknown> {
    return { witnesses: this.witnesses.map((w) => ({ ...w, lines: [...w.lines] })) };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.witnesses = (s.witnesses as WitnessRecord[]).map((w) => ({ ...w, lines: [...w.lines] }));
  }
}
