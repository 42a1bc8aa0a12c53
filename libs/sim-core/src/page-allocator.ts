import { savedArray, SaveOptions } from './save-options';
import { fail } from './assert';

/**
 * The host page allocator shared by every VM of an L1 host: a LIFO free list,
 * so the page freed last is handed out first (as the per-CPU page lists of
 * Linux do), plus the ownership table that is the checker's ground truth.
 */

/** Owner of a free page. */
export const OWNER_FREE = -1;
/** Owner of a page KVM uses itself (a TDP root). */
export const OWNER_KVM = -2;

/** What the allocator remembers of a page's recent life, for witnesses. */
export interface PageHistory {
  /** The page this record is about. */
  page: number;
  /** Whether {@link log} lost its oldest records. */
  logDropped: boolean;
  /** Root incarnation the page last served as, or 0. */
  rootInc: number;
  /** Host-local VM of that root. */
  rootVm: number;
  invalNs: number;
  /** The last unmap came from a memslot DELETE (else an MMU-notifier invalidation). */
  invalDelete: boolean;
  /** The nCR3s (root pages) the remote flush of that invalidation went to (`hv_track_root_tdp`'s roots). */
  invalRoots: number[];
  invalVm: number;
  invalGpa: number;
  freedNs: number;
  allocNs: number;
  allocVm: number;
  allocGpa: number;
  /**
   * Ownership changes, oldest first: flat [timeNs, ownerVm, ownerGpa, mapped]
   * records (at most {@link OWNER_LOG_MAX}). The checker classifies a hit with
   * the owner of the page *at the time of the hit* (see {@link PageAllocator.ownerAt}).
   */
  log: number[];
}

/** Ownership changes kept per page; a report reaches kvm long before a page changes hands this often. */
export const OWNER_LOG_MAX = 32;

/** Numbers per {@link PageHistory.log} record. */
const LOG_WIDTH = 4;

/** Who owned a page at some instant. */
export interface PageOwner {
  /** Host-local VM, or {@link OWNER_FREE} / {@link OWNER_KVM}. */
  vm: number;
  /** GPA page it backed (data pages). */
  gpa: number;
  /** Whether that GPA's SPTE still pointed at the page (false after an invalidation unmapped it). */
  mapped: boolean;
}

/** Pages remembered for witnesses; older history is dropped. */
export const PAGE_HISTORY_MAX = 65536;

/** See the module comment. */
export class PageAllocator {
  /** Host-local VM owning each page, or {@link OWNER_FREE} / {@link OWNER_KVM}. */
  readonly ownerVm: Int16Array;
  /** 1 while a data page is still its VM's but no longer mapped (between an invalidation and the free). */
  readonly unmapped: Uint8Array;
  /** GPA page each data page backs. */
  readonly ownerGpa: Int32Array;
  /** The free list (capacity `poolPages`); `free[top - 1]` is handed out next. */
  readonly free: Int32Array;
  top = 0;
  history = new Map<number, PageHistory>();
  /**
   * At or after every remembered ownership change: a question about a later
   * instant is answered by the current owner without looking the page up
   * (the checker asks once per report, millions of times in a long run).
   */
  private lastChangeNs = -1;

  /**
   * `vms` VMs of `footprintPages` pre-faulted pages each (VM v's GPA g is
   * page v * footprintPages + g), then `poolPages` free pages.
   */
  constructor(
    readonly vms: number,
    readonly footprintPages: number,
    readonly poolPages: number,
  ) {
    const pages = vms * footprintPages + poolPages;
    this.ownerVm = new Int16Array(pages);
    this.ownerGpa = new Int32Array(pages);
    this.unmapped = new Uint8Array(pages);
    // Every remap allocates before it frees and roots come from the pool, so
    // at most `poolPages` pages are ever free at once.
    this.free = new Int32Array(poolPages);
    for (let v = 0; v < vms; v++) {
      for (let g = 0; g < footprintPages; g++) {
        this.ownerVm[v * footprintPages + g] = v;
        this.ownerGpa[v * footprintPages + g] = g;
      }
    }
    for (let p = pages - 1; p >= vms * footprintPages; p--) {
      this.ownerVm[p] = OWNER_FREE;
      this.free[this.top++] = p;
    }
  }

  /** Total pages of the host. */
  get pages(): number {
    return this.ownerVm.length;
  }

  /** Takes the most recently freed page for `vm` at `gpa` (or for KVM: vm = OWNER_KVM). */
  alloc(tNs: number, vm: number, gpa: number): number {
    if (this.top === 0) {
      throw new Error(`page allocator exhausted (${this.pages} pages): lower the event rates or raise memory`);
    }
    const page = this.free[--this.top];
    this.ownerVm[page] = vm;
    this.ownerGpa[page] = gpa;
    const h = this.hist(page);
    h.allocNs = tNs;
    h.allocVm = vm;
    h.allocGpa = gpa;
    this.logOwner(h, tNs, vm, gpa, true);
    return page;
  }

  /** Returns a page to the top of the free list. */
  release(tNs: number, page: number): void {
    if (this.top === this.free.length) fail(`page allocator: free list overflow releasing page ${page}`);
    this.ownerVm[page] = OWNER_FREE;
    this.free[this.top++] = page;
    const h = this.hist(page);
    h.freedNs = tNs;
    this.logOwner(h, tNs, OWNER_FREE, -1, false);
  }

  /** The SPTE of a data page's GPA now points elsewhere (the page is still its VM's until freed). */
  unmap(tNs: number, page: number): void {
    this.unmapped[page] = 1;
    this.logOwner(this.hist(page), tNs, this.ownerVm[page], this.ownerGpa[page], false);
  }

  /**
   * The owner of `page` at `tNs` (changes at exactly `tNs` count as before
   * it). Exact as long as the page changed hands fewer than
   * {@link OWNER_LOG_MAX} times since; asserted.
   */
  ownerAt(page: number, tNs: number): PageOwner {
    if (tNs >= this.lastChangeNs) return this.ownerNow(page);
    const h = this.history.get(page);
    const log = h?.log;
    if (!log || log.length === 0 || log[log.length - LOG_WIDTH] <= tNs) return this.ownerNow(page);
    for (let o = log.length - LOG_WIDTH; o >= 0; o -= LOG_WIDTH) {
      if (log[o] <= tNs) return { vm: log[o + 1], gpa: log[o + 2], mapped: log[o + 3] === 1 };
    }
    fail(`page ${page}: ownership at ${tNs} ns is older than its log (${OWNER_LOG_MAX} changes)`);
  }

  private ownerNow(page: number): PageOwner {
    return { vm: this.ownerVm[page], gpa: this.ownerGpa[page], mapped: this.unmapped[page] === 0 };
  }

  private logOwner(h: PageHistory, tNs: number, vm: number, gpa: number, mapped: boolean): void {
    if (tNs > this.lastChangeNs) this.lastChangeNs = tNs;
    if (h.log.length >= OWNER_LOG_MAX * LOG_WIDTH) {
      h.log.splice(0, LOG_WIDTH);
      h.logDropped = true;
    }
    h.log.push(tNs, vm, gpa, mapped ? 1 : 0);
    this.unmapped[h.page] = vm >= 0 && !mapped ? 1 : 0;
  }

  /**
   * History record of a page, created on first use; the least recently
   * touched records go first beyond {@link PAGE_HISTORY_MAX}, so a page that
   * is changing hands keeps its log.
   */
  hist(page: number): PageHistory {
    let h = this.history.get(page);
    if (h) {
      this.history.delete(page);
    } else {
      if (this.history.size >= PAGE_HISTORY_MAX) {
        this.history.delete(this.history.keys().next().value as number);
      }
      h = {
        page,
        rootInc: 0,
        rootVm: -1,
        invalNs: -1,
        invalDelete: false,
        invalRoots: [],
        invalVm: -1,
        invalGpa: -1,
        freedNs: -1,
        allocNs: -1,
        allocVm: -1,
        allocGpa: -1,
        log: [],
        logDropped: false,
      };
      // Baseline: the state the page has held since before anything this run remembers.
      h.log.push(-1, this.ownerVm[page], this.ownerGpa[page], this.unmapped[page] === 0 ? 1 : 0);
    }
    this.history.set(page, h);
    return h;
  }

  /** Snapshot state (see {@link SaveOptions}). */
  save(opts?: SaveOptions): Record<string, unknown> {
    return {
      ownerVm: savedArray(this.ownerVm, opts),
      ownerGpa: savedArray(this.ownerGpa, opts),
      unmapped: savedArray(this.unmapped, opts),
      free: savedArray(this.free, opts),
      top: this.top,
      history: [...this.history.entries()].map(([k, v]) => [
        k,
        { ...v, log: [...v.log], invalRoots: [...v.invalRoots] },
      ]),
    };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.ownerVm.set(s.ownerVm as Int16Array);
    this.ownerGpa.set(s.ownerGpa as Int32Array);
    this.unmapped.set(s.unmapped as Uint8Array);
    this.free.set(s.free as Int32Array);
    this.top = s.top as number;
    this.history = new Map(
      (s.history as [number, PageHistory][]).map(([k, v]) => [
        k,
        { ...v, log: [...v.log], invalRoots: [...v.invalRoots] },
      ]),
    );
    this.lastChangeNs = -1;
    for (const h of this.history.values())
      if (h.log.length > 0) this.lastChangeNs = Math.max(this.lastChangeNs, h.log[h.log.length - LOG_WIDTH]);
  }
}
