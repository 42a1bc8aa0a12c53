import { C } from './counters';
import { Msg, ROLE_NAMES } from './message';
import { MF } from './message.schema';
import { OWNER_KVM, PageHistory, PageOwner } from './page-allocator';
import { FLUSH_KIND_NAMES } from './flush-kind';
import type { ShardContext } from './shard-context';
import { REPORT_FILLER_UNIT, REPORT_NESTED, REPORT_SHARED } from './stale-hit.checker';
import type { RootRecord } from './tdp-mmu';

const REPORT = MF[Msg.Report];

/**
 * What the checker needs of its host's kvm: page ownership over time, root
 * and page histories and when each vCPU last loaded a root. Nothing else of
 * the kvm actor is visible to it.
 */
export interface CheckerHost {
  readonly host: number;
  readonly context: ShardContext;
  /** Owner of a page at a past instant. */
  ownerAt(page: number, tNs: number): PageOwner;
  /** Current owner VM of a page (OWNER_FREE / OWNER_KVM below 0). */
  ownerNow(page: number): number;
  /** GPA a data page backs now. */
  ownerGpaNow(page: number): number;
  /** What the allocator remembers of a page. */
  pageHistory(page: number): PageHistory | undefined;
  /** Root record by incarnation (live or remembered). */
  rootByInc(inc: number): RootRecord | undefined;
  /** When each host-local vCPU's last root grant reached it. */
  readonly grantNs: Float64Array;
}

/** The four violation classes (docs/design.md), most severe first. */
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

/** What a report says about the entry used, decoded. */
interface ChainEntry {
  nested: boolean;
  gpa: number;
  gva: number;
  hpa: number;
  entryInc: number;
  fillNs: number;
  curInc: number;
  flushKind: number;
  /** Host-local vCPU that filled a shared entry, or -1. */
  filler: number;
  /** Owner of the page at the hit. */
  owner: PageOwner;
}

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

  constructor(
    private readonly kvm: CheckerHost,
    private readonly witnessesMax: number,
    private readonly witnessesPerClass = 1,
  ) {}

  /**
   * Classifies one Report message (the record at offset o of b) with the page
   * ownership of the moment of the hit, which the report reaches one
   * `latency.kvmRequestNs` later.
   */
  classify(t: number, vcpuActor: number, b: Float64Array, o: number): void {
    const kvm = this.kvm;
    const ctx = kvm.context;
    const flags = b[o + REPORT.flags],
      gpa = b[o + REPORT.gpa],
      hpa = b[o + REPORT.hpa],
      entryInc = b[o + REPORT.entryInc];
    const fillUs = b[o + REPORT.fillUs],
      curInc = b[o + REPORT.curInc],
      gva = b[o + REPORT.gva];
    const hv = ctx.topo.hostVcpuIndex(vcpuActor);
    const vm = Math.floor(hv / ctx.topo.vcpusPerVm);
    const tExact = t - ctx.cfg.latency.kvmRequestNs;
    const owner = kvm.ownerAt(hpa, tExact);
    // Witnesses print nanoseconds (trace-event style): the hit's time, rounded.
    const tHit = Math.round(tExact);
    let cls: ViolationClass;
    if (owner.vm >= 0 && owner.vm !== vm) cls = 'cross-vm';
    else if (owner.vm < 0) cls = 'use-after-free';
    else if (owner.gpa !== gpa || !owner.mapped) cls = 'stale-mapping';
    else if (entryInc !== curInc) cls = 'stale-root';
    else {
      ctx.counters[C.checkerDismissed]++;
      return;
    }
    ctx.counters[CLASS_COUNTER[cls]]++;
    if (!this.wants(cls)) return;
    const low = flags % REPORT_FILLER_UNIT;
    const entry = {
      nested: (low & REPORT_NESTED) !== 0,
      gpa,
      gva,
      hpa,
      entryInc,
      fillNs: fillUs * 1000,
      curInc,
      flushKind: low >> 4,
      filler: (low & REPORT_SHARED) !== 0 ? Math.floor(flags / REPORT_FILLER_UNIT) - 1 : -1,
      owner,
    };
    const lines = this.chain(cls, tHit, hv, vm, entry);
    const rootPage = kvm.rootByInc(curInc)?.page ?? -1;
    this.witnesses.push({
      class: cls,
      host: kvm.host,
      vm: ctx.topo.globalVm(kvm.host, vm),
      vcpu: hv % ctx.topo.vcpusPerVm,
      timeNs: tHit,
      pageHpa: hpaHex(cls === 'stale-root' && rootPage >= 0 ? rootPage : hpa),
      lines,
    });
  }

  /** Keeps the first `witnessesMax`, plus the first `witnessesPerClass` of each class. */
  private wants(cls: ViolationClass): boolean {
    if (this.witnesses.length < this.witnessesMax) return true;
    if (this.witnessesMax === 0) return false;
    let n = 0;
    for (const w of this.witnesses) if (w.class === cls) n++;
    return n < this.witnessesPerClass;
  }

  private chain(cls: ViolationClass, tHit: number, hv: number, vm: number, e: ChainEntry): string[] {
    const kvm = this.kvm;
    const ctx = kvm.context;
    const topo = ctx.topo;
    const gvm = topo.globalVm(kvm.host, vm);
    const kt = `kvm-h${kvm.host}`;
    const vt = `vcpu-${gvm}.${hv % topo.vcpusPerVm}`;
    const ev: Event[] = [];
    const old = kvm.rootByInc(e.entryInc);
    const cur = kvm.rootByInc(e.curInc);
    const vmOf = (r: RootRecord): number => topo.globalVm(kvm.host, r.vm);
    if (old)
      ev.push([
        old.allocNs,
        kt,
        'kvm_tdp_mmu_alloc_root',
        `vm=${vmOf(old)} root=#${old.inc} role=${ROLE_NAMES[old.role]} hpa=${hpaHex(old.page)} gen=${old.gen}`,
      ]);
    const what = e.nested ? `nested gpa=${gpaHex(e.gpa)}` : `combined gva=${gvaHex(e.gva)} gpa=${gpaHex(e.gpa)}`;
    if (e.filler >= 0) {
      const fvm = Math.floor(e.filler / topo.vcpusPerVm);
      const ft = `vcpu-${topo.globalVm(kvm.host, fvm)}.${e.filler % topo.vcpusPerVm}`;
      ev.push([
        e.fillNs,
        ft,
        'tlb_fill',
        `shared (L0 shadow NPT of the partition): nCR3=${old ? hpaHex(old.page) : '?'} ${what} -> hpa=${hpaHex(e.hpa)} under root=#${e.entryInc} (shared by every VP of the partition)`,
      ]);
    } else {
      ev.push([e.fillNs, vt, 'tlb_fill', `${what} -> hpa=${hpaHex(e.hpa)} under root=#${e.entryInc}`]);
    }
    if (e.entryInc !== e.curInc && old && cur) this.rootEvents(ev, kt, vt, hv, old, cur, e.flushKind);
    if (cls !== 'stale-root') this.pageEvents(ev, kt, e.hpa, tHit);
    const whose =
      cls === 'cross-vm' && e.owner.vm >= 0
        ? ` (hpa belongs to vm=${topo.globalVm(kvm.host, e.owner.vm)} gpa=${gpaHex(e.owner.gpa)})`
        : '';
    ev.push([
      tHit,
      vt,
      'tlb_stale_hit',
      `${what} -> hpa=${hpaHex(e.hpa)} from root=#${e.entryInc}, current root=#${e.curInc}: ${cls}${whose}`,
    ]);
    ev.sort((a, b) => a[0] - b[0]);
    return ev.map(
      ([t, task, name, detail]) =>
        `${task.padStart(14)} [${String(kvm.host).padStart(3, '0')}] ${(t / 1e9).toFixed(9)}: ${name}: ${detail}`,
    );
  }

  /** The old root's end and the new root on the same page: invalidation, free, reuse, load and the flush that kept the entry. */
  private rootEvents(
    ev: Event[],
    kt: string,
    vt: string,
    hv: number,
    old: RootRecord,
    cur: RootRecord,
    flushKind: number,
  ): void {
    const ctx = this.kvm.context;
    const gvmOf = (r: RootRecord): number => ctx.topo.globalVm(this.kvm.host, r.vm);
    if (old.invalidNs >= 0 && old.invalidNs !== old.freeNs)
      ev.push([old.invalidNs, kt, 'kvm_mmu_zap_all_fast', `vm=${gvmOf(old)} root=#${old.inc} invalidated (obsolete)`]);
    const how = ctx.flags.flushBeforeFree ? 'after a remote TLB flush' : 'with no TLB flush';
    if (old.freeNs >= 0)
      ev.push([
        old.freeNs,
        kt,
        'kvm_tdp_mmu_put_root',
        `vm=${gvmOf(old)} root=#${old.inc} refcount=0: page hpa=${hpaHex(old.page)} freed ${how}`,
      ]);
    const prev = this.kvm.rootByInc(cur.prevInc);
    const via =
      cur.prevInc === old.inc
        ? `was root #${old.inc} of vm=${gvmOf(old)}`
        : `last used by root #${cur.prevInc}${prev ? ` role=${ROLE_NAMES[prev.role]} of vm=${gvmOf(prev)}` : ''}`;
    ev.push([
      cur.allocNs,
      kt,
      'kvm_tdp_mmu_alloc_root',
      `vm=${gvmOf(cur)} root=#${cur.inc} hpa=${hpaHex(cur.page)} page reused (${via}), role=${ROLE_NAMES[cur.role]}`,
    ]);
    const load = this.kvm.grantNs[hv];
    ev.push([load, vt, 'kvm_mmu_load', `root=#${cur.inc} nCR3=${hpaHex(cur.page)}`]);
    const kept = ctx.flags.sharedNested ? "; the partition's nested translations for this nCR3 are kept" : '';
    ev.push([
      load,
      vt,
      'flush_tlb_current',
      (FLUSH_KIND_NAMES[flushKind] ?? 'unknown') + (flushKind === 1 ? kept : ''),
    ]);
  }

  /** What happened to the data page up to the hit: invalidation, free, and who owned it then. */
  private pageEvents(ev: Event[], kt: string, hpa: number, tHit: number): void {
    const kvm = this.kvm;
    const topo = kvm.context.topo;
    const h = kvm.pageHistory(hpa);
    if (!h) return;
    if (h.invalNs >= 0 && h.invalDelete) {
      ev.push([
        h.invalNs,
        kt,
        'kvm_arch_flush_shadow_memslot',
        `vm=${topo.globalVm(kvm.host, h.invalVm)} memslot DELETE: gpa=${gpaHex(h.invalGpa)} old hpa=${hpaHex(hpa)} unmapped; fast zap, KVM_REQ_MMU_FREE_OBSOLETE_ROOTS (the flush is left to the next root load)`,
      ]);
    } else if (h.invalNs >= 0) {
      const { cfg, flags } = kvm.context;
      const flush = !flags.hvRemoteFlush
        ? "remote flush: KVM_REQ_TLB_FLUSH to the VM's vCPUs"
        : cfg.kvm.undersizedRangeFlush
          ? 'remote flush: GPA-list hypercall of 1 page (undersized range) per loaded root'
          : 'kvm_flush_remote_tlbs: GPA-space hypercall per loaded root';
      const targets = flags.hvRemoteFlush
        ? ` (hv_track_root_tdp: nCR3 ${h.invalRoots.map(hpaHex).join(', ') || 'none'})`
        : '';
      ev.push([
        h.invalNs,
        kt,
        'kvm_mmu_notifier_invalidate_range',
        `vm=${topo.globalVm(kvm.host, h.invalVm)} gpa=${gpaHex(h.invalGpa)} old hpa=${hpaHex(hpa)}; ${flush}${targets}`,
      ]);
    }
    const early = h.invalDelete
      ? ' by userspace after the DELETE ioctl returned'
      : kvm.context.cfg.kvm.freeBeforeFlush
        ? ' before the remote flush completed'
        : ' after the remote flush completed';
    if (h.freedNs >= 0 && h.freedNs <= tHit)
      ev.push([h.freedNs, kt, 'mm_page_free', `hpa=${hpaHex(hpa)}${h.invalNs >= 0 ? early : ''}`]);
    const owner = kvm.ownerAt(hpa, tHit);
    if (h.allocNs >= 0 && h.allocNs <= tHit && h.allocNs > h.freedNs && owner.vm !== -1) {
      const to =
        owner.vm === OWNER_KVM
          ? `kvm root #${h.rootInc}`
          : `vm=${topo.globalVm(kvm.host, owner.vm)} gpa=${gpaHex(owner.gpa)}`;
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
