import { Vp } from './vp';
import { combinedTag } from './tlb';

/** A virtual processor's ASID allocator (SVM `new_asid()`) and the GPA behind its combined entries. */
describe('Vp', () => {
  it('hands out ASIDs in order, then bumps the generation and owes a flush of every ASID when they run out', () => {
    const vp = new Vp(0, 0, 64, 4, 100, 3);
    expect([vp.newAsid(), vp.newAsid(), vp.newAsid()]).toEqual([
      { asid: 1, flushAll: false },
      { asid: 2, flushAll: false },
      { asid: 3, flushAll: false },
    ]);
    expect(vp.asidGen).toBe(1);
    expect(vp.newAsid()).toEqual({ asid: 1, flushAll: true });
    expect(vp.asidGen).toBe(2);
  });

  it('derives the GPA behind a combined entry from the vCPU its ASID was given to', () => {
    const vp = new Vp(0, 0, 64, 4, 100, 10);
    vp.assign(1, 0);
    vp.assign(2, 100);
    const a = vp.tlb.fill(combinedTag(1, 1), 5, 0x9000, 7, 1, 0);
    const b = vp.tlb.fill(combinedTag(2, 1), 5, 0x9001, 7, 1, 0);
    expect(vp.tlb.gpa(a)).toBe(5);
    expect(vp.tlb.gpa(b)).toBe(105);
  });

  it('snapshots and restores the allocator and the ASID owners', () => {
    const vp = new Vp(0, 0, 64, 4, 100, 10);
    vp.assign(vp.newAsid().asid, 200);
    const copy = new Vp(0, 0, 64, 4, 100, 10);
    copy.load(vp.save());
    expect(copy.newAsid().asid).toBe(2);
    expect(copy.tlb.gpa(copy.tlb.fill(combinedTag(1, 1), 5, 1, 1, 1, 0))).toBe(205);
  });
});
