import { OWNER_FREE, OWNER_KVM, PageAllocator } from './page-allocator';

describe('PageAllocator', () => {
  it('pre-faults each VM in order and keeps the pool free', () => {
    const a = new PageAllocator(2, 8, 4);
    expect(a.pages).toBe(20);
    expect(a.ownerVm[0]).toBe(0);
    expect(a.ownerGpa[7]).toBe(7);
    expect(a.ownerVm[8]).toBe(1);
    expect(a.ownerGpa[9]).toBe(1);
    expect(a.top).toBe(4);
    for (let p = 16; p < 20; p++) expect(a.ownerVm[p]).toBe(OWNER_FREE);
  });

  it('is LIFO: the page freed last is handed out first, to any VM', () => {
    const a = new PageAllocator(2, 8, 4);
    const root = a.alloc(10, OWNER_KVM, 0);
    expect(a.ownerVm[root]).toBe(OWNER_KVM);
    a.release(20, root);
    const moved = a.alloc(21, 0, 3); // VM 0's GPA 3 migrates to a new page (the root's, LIFO) ...
    expect(moved).toBe(root);
    a.release(22, 3); // ... and its old page is freed after the flush
    expect(a.alloc(30, 1, 5)).toBe(3); // VM 1 gets that page first
    expect(a.alloc(31, OWNER_KVM, 0)).toBe(17); // then the pool, lowest remaining first
    expect(a.ownerVm[3]).toBe(1);
    expect(a.ownerGpa[3]).toBe(5);
    expect(a.hist(3)).toMatchObject({ freedNs: 22, allocNs: 30, allocVm: 1, allocGpa: 5 });
  });

  it('fails loudly when the pool is exhausted and on free-list overflow', () => {
    const a = new PageAllocator(1, 2, 1);
    a.alloc(0, OWNER_KVM, 0);
    expect(() => a.alloc(1, OWNER_KVM, 0)).toThrow(/exhausted/);
    const b = new PageAllocator(1, 2, 1);
    expect(() => b.release(0, 0)).toThrow(/overflow/);
  });
});
