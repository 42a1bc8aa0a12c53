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
  /** Root incarnation the page last served as, or 0. */
  rootInc: number;
  /** Host-local VM of that root. */
  rootVm: number;
  invalNs: number;
  invalVm: number;
  invalGpa: number;
  freedNs: number;
  allocNs: number;
  allocVm: number;
  allocGpa: number;
}

/** Pages remembered for witnesses; older history is dropped. */
export const PAGE_HISTORY_MAX = 65536;

/** See the module comment. */
export class PageAllocator {
  /** Host-local VM owning each page, or {@link OWNER_FREE} / {@link OWNER_KVM}. */
  readonly ownerVm: Int16Array;
  /** GPA page each data page backs. */
  readonly ownerGpa: Int32Array;
  /** The free list (capacity `poolPages`); `free[top - 1]` is handed out next. */
  readonly free: Int32Array;
  top = 0;
  history = new Map<number, PageHistory>();

  /**
   * `vms` VMs of `footprintPages` pre-faulted pages each (VM v's GPA g is
   * page v * footprintPages + g), then `poolPages` free pages.
   */
  constructor(readonly vms: number, readonly footprintPages: number, readonly poolPages: number) {
    const pages = vms * footprintPages + poolPages;
    this.ownerVm = new Int16Array(pages);
    this.ownerGpa = new Int32Array(pages);
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
    return page;
  }

  /** Returns a page to the top of the free list. */
  release(tNs: number, page: number): void {
    if (this.top === this.free.length) throw new Error(`page allocator: free list overflow releasing page ${page}`);
    this.ownerVm[page] = OWNER_FREE;
    this.free[this.top++] = page;
    this.hist(page).freedNs = tNs;
  }

  /** History record of a page, created on first use; bounded by {@link PAGE_HISTORY_MAX}. */
  hist(page: number): PageHistory {
    let h = this.history.get(page);
    if (!h) {
      if (this.history.size >= PAGE_HISTORY_MAX) {
        this.history.delete(this.history.keys().next().value as number);
      }
      h = { rootInc: 0, rootVm: -1, invalNs: -1, invalVm: -1, invalGpa: -1, freedNs: -1, allocNs: -1, allocVm: -1, allocGpa: -1 };
      this.history.set(page, h);
    }
    return h;
  }

  /** Snapshot state. */
  save(): Record<string, unknown> {
    return {
      ownerVm: this.ownerVm.slice(), ownerGpa: this.ownerGpa.slice(), free: this.free.slice(), top: this.top,
      history: [...this.history.entries()].map(([k, v]) => [k, { ...v }]),
    };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.ownerVm.set(s.ownerVm as Int16Array);
    this.ownerGpa.set(s.ownerGpa as Int32Array);
    this.free.set(s.free as Int32Array);
    this.top = s.top as number;
    this.history = new Map((s.history as [number, PageHistory][]).map(([k, v]) => [k, { ...v }]));
  }
}
