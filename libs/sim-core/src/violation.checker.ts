import { C } from './counters';
import { Msg } from './message';
import { MF } from './message.schema';
import { OWNER_KVM, PageHistory, PageOwner } from './page-allocator';
import type { ShardContext } from './shard-context';
import { REPORT_FILLER_UNIT, REPORT_NESTED, REPORT_SHARED } from './stale-hit.checker';
import type { RootRecord } from './tdp-mmu';
import type { WitnessEvent, WitnessTask, WitnessTranslation } from './witness.events';

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

/**
 * One violation's causal chain as data (witness.events.ts): the digest
 * hashes these fields; the engine renders the trace-style lines.
 */
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
  /** The chain's events, oldest first (ties in the order they were found). */
  events: WitnessEvent[];
}

/** Host physical memory of the model starts here, so addresses look like real HPAs. */
const HOST_PHYS_BASE = 0x100000000;

/** A page number as a host physical address. */
export function hpaHex(page: number): string {
  return '0x' + (HOST_PHYS_BASE + page * 4096).toString(16);
}

const KVM_TASK: WitnessTask = { kind: 'kvm' };

/** What a report says about the entry used, decoded. */
interface ChainEntry {
  translation: WitnessTranslation;
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
    const nested = (low & REPORT_NESTED) !== 0;
    const entry: ChainEntry = {
      translation: { nested, gpa, gva: nested ? -1 : gva, hpa },
      entryInc,
      fillNs: fillUs * 1000,
      curInc,
      flushKind: low >> 4,
      filler: (low & REPORT_SHARED) !== 0 ? Math.floor(flags / REPORT_FILLER_UNIT) - 1 : -1,
      owner,
    };
    const events = this.chain(cls, tHit, hv, entry);
    const rootPage = kvm.rootByInc(curInc)?.page ?? -1;
    this.witnesses.push({
      class: cls,
      host: kvm.host,
      vm: ctx.topo.globalVm(kvm.host, vm),
      vcpu: hv % ctx.topo.vcpusPerVm,
      timeNs: tHit,
      pageHpa: hpaHex(cls === 'stale-root' && rootPage >= 0 ? rootPage : hpa),
      events,
    });
  }

  /**
   * An exposure of the root classes: a page allocated again as a root while
   * entries tagged with it may survive, that is when guest accesses ran under
   * its last root (`prev`; a forgotten one counts). Counted whatever the
   * policy then flushes: the hazard is the policy's to handle. Another VM's
   * page is a cross-vm exposure too.
   */
  rootReused(prev: RootRecord | undefined, otherVm: boolean): void {
    if (prev && !prev.used) return;
    const c = this.kvm.context.counters;
    c[C.exposuresStaleRoot]++;
    if (otherVm) c[C.exposuresCrossVm]++;
  }

  /**
   * An exposure of the page classes: guest pages of host-local `vm`
   * unmapped (an MMU-notifier invalidation or a memslot DELETE: the pages
   * are freed, the mapping changes) while a translation of them may be
   * cached, that is once the vCPU whose working-set region holds one of them
   * has loaded a root. With more than one VM per host a freed page may go to
   * another VM: a cross-vm exposure too. One exposure per change.
   */
  pagesChanged(vm: number, gpaStart: number, pages: number): void {
    const { cfg, counters, topo } = this.kvm.context;
    const wsp = cfg.workload.workingSetPages;
    let cached = false;
    for (let r = Math.floor(gpaStart / wsp); r * wsp < gpaStart + pages && r < topo.vcpusPerVm; r++)
      if (this.kvm.grantNs[vm * topo.vcpusPerVm + r] > 0) cached = true;
    if (!cached) return;
    counters[C.exposuresUseAfterFree]++;
    counters[C.exposuresStaleMapping]++;
    if (topo.vmsPerHost > 1) counters[C.exposuresCrossVm]++;
  }

  /** Keeps the first `witnessesMax`, plus the first `witnessesPerClass` of each class. */
  private wants(cls: ViolationClass): boolean {
    if (this.witnesses.length < this.witnessesMax) return true;
    if (this.witnessesMax === 0) return false;
    let n = 0;
    for (const w of this.witnesses) if (w.class === cls) n++;
    return n < this.witnessesPerClass;
  }

  /** The vCPU (host-local index) as a task. */
  private vcpuTask(hv: number): WitnessTask {
    const topo = this.kvm.context.topo;
    return {
      kind: 'vcpu',
      vm: topo.globalVm(this.kvm.host, Math.floor(hv / topo.vcpusPerVm)),
      vcpu: hv % topo.vcpusPerVm,
    };
  }

  /** A host-local VM as a fleet-wide one. */
  private gvm(vm: number): number {
    return this.kvm.context.topo.globalVm(this.kvm.host, vm);
  }

  /** The chain of one violation: the entry's root, its fill, what changed since, the hit; oldest first. */
  private chain(cls: ViolationClass, tHit: number, hv: number, e: ChainEntry): WitnessEvent[] {
    const kvm = this.kvm;
    const vt = this.vcpuTask(hv);
    const ev: WitnessEvent[] = [];
    const old = kvm.rootByInc(e.entryInc);
    const cur = kvm.rootByInc(e.curInc);
    if (old) {
      const { inc: rootInc, role, page, gen } = old;
      ev.push({
        timeNs: old.allocNs,
        task: KVM_TASK,
        kind: 'root-alloc',
        vm: this.gvm(old.vm),
        rootInc,
        role,
        page,
        gen,
      });
    }
    ev.push({
      timeNs: e.fillNs,
      task: e.filler >= 0 ? this.vcpuTask(e.filler) : vt,
      kind: 'fill',
      entry: e.translation,
      rootInc: e.entryInc,
      shared: e.filler >= 0,
      ncr3: old ? old.page : -1,
    });
    if (e.entryInc !== e.curInc && old && cur) this.rootEvents(ev, vt, hv, old, cur, e.flushKind);
    if (cls !== 'stale-root') this.pageEvents(ev, e.translation.hpa, tHit);
    const owned = cls === 'cross-vm' && e.owner.vm >= 0;
    ev.push({
      timeNs: tHit,
      task: vt,
      kind: 'stale-hit',
      entry: e.translation,
      entryInc: e.entryInc,
      currentInc: e.curInc,
      class: cls,
      ownerVm: owned ? this.gvm(e.owner.vm) : -1,
      ownerGpa: owned ? e.owner.gpa : -1,
    });
    // Stable: events of one instant keep the order they were found in.
    return ev.sort((a, b) => a.timeNs - b.timeNs);
  }

  /** The old root's end and the new root on the same page: invalidation, free, reuse, load and the flush that kept the entry. */
  private rootEvents(
    ev: WitnessEvent[],
    vt: WitnessTask,
    hv: number,
    old: RootRecord,
    cur: RootRecord,
    flushKind: number,
  ): void {
    const { flags } = this.kvm.context;
    const vm = this.gvm(old.vm);
    if (old.invalidNs >= 0 && old.invalidNs !== old.freeNs)
      ev.push({ timeNs: old.invalidNs, task: KVM_TASK, kind: 'root-zap', vm, rootInc: old.inc });
    if (old.freeNs >= 0) {
      const flushedBeforeFree = flags.flushBeforeFree;
      ev.push({
        timeNs: old.freeNs,
        task: KVM_TASK,
        kind: 'root-free',
        vm,
        rootInc: old.inc,
        page: old.page,
        flushedBeforeFree,
      });
    }
    const prev = this.kvm.rootByInc(cur.prevInc);
    const prevIsEntryRoot = cur.prevInc === old.inc;
    ev.push({
      timeNs: cur.allocNs,
      task: KVM_TASK,
      kind: 'root-reuse',
      vm: this.gvm(cur.vm),
      rootInc: cur.inc,
      role: cur.role,
      page: cur.page,
      prevInc: cur.prevInc,
      prevIsEntryRoot,
      prevVm: prevIsEntryRoot ? vm : prev ? this.gvm(prev.vm) : -1,
      prevRole: prevIsEntryRoot ? old.role : prev ? prev.role : -1,
    });
    const load = this.kvm.grantNs[hv];
    ev.push({ timeNs: load, task: vt, kind: 'root-load', rootInc: cur.inc, page: cur.page });
    ev.push({
      timeNs: load,
      task: vt,
      kind: 'flush-current',
      flushKind,
      sharedKept: flags.sharedNested && flushKind === 1,
    });
  }

  /** What happened to the data page up to the hit: invalidation, free, and who owned it then. */
  private pageEvents(ev: WitnessEvent[], hpa: number, tHit: number): void {
    const kvm = this.kvm;
    const h = kvm.pageHistory(hpa);
    if (!h) return;
    const { cfg, flags } = kvm.context;
    const at = { timeNs: h.invalNs, task: KVM_TASK, vm: this.gvm(h.invalVm), gpa: h.invalGpa, hpa };
    if (h.invalNs >= 0 && h.invalDelete) ev.push({ ...at, kind: 'memslot-delete' });
    else if (h.invalNs >= 0) {
      const flush = !flags.hvRemoteFlush
        ? 'tlb-flush-request'
        : cfg.kvm.undersizedRangeFlush
          ? 'gpa-list-undersized'
          : 'gpa-space';
      ev.push({ ...at, kind: 'notifier-invalidate', flush, roots: flags.hvRemoteFlush ? [...h.invalRoots] : null });
    }
    const timing =
      h.invalNs < 0
        ? 'no-unmap'
        : h.invalDelete
          ? 'after-delete'
          : cfg.kvm.freeBeforeFlush
            ? 'before-flush'
            : 'after-flush';
    if (h.freedNs >= 0 && h.freedNs <= tHit)
      ev.push({ timeNs: h.freedNs, task: KVM_TASK, kind: 'page-free', hpa, timing });
    const owner = kvm.ownerAt(hpa, tHit);
    if (h.allocNs >= 0 && h.allocNs <= tHit && h.allocNs > h.freedNs && owner.vm !== -1) {
      const toKvm = owner.vm === OWNER_KVM;
      ev.push({
        timeNs: h.allocNs,
        task: KVM_TASK,
        kind: 'page-alloc',
        hpa,
        rootInc: toKvm ? h.rootInc : 0,
        vm: toKvm ? -1 : this.gvm(owner.vm),
        gpa: toKvm ? -1 : owner.gpa,
      });
    }
  }

  /** Snapshot state. */
  save(): Record<string, unknown> {
    return { witnesses: this.witnesses.map(copyWitness) };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.witnesses = (s.witnesses as WitnessRecord[]).map(copyWitness);
  }
}

/** A deep copy of a witness (snapshots must not alias the live one); a witness is plain JSON data. */
function copyWitness(w: WitnessRecord): WitnessRecord {
  return JSON.parse(JSON.stringify(w)) as WitnessRecord;
}
