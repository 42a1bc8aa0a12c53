import {
  F_DST,
  F_P0,
  F_SRC,
  F_TIME,
  F_TYPE,
  HV_FLUSH_LIST,
  HV_FLUSH_SPACE,
  Msg,
  MSG_WIDTH,
  partitionDst,
} from './message';
import { PartitionCache } from './partition-cache';

/** One broadcast record (time, src, seq, dst, type, p0..p6). */
function msg(type: number, src: number, ...p: number[]): Float64Array {
  const b = new Float64Array(MSG_WIDTH);
  b[F_TIME] = 1000;
  b[F_SRC] = src;
  b[F_DST] = partitionDst(0);
  b[F_TYPE] = type;
  p.forEach((v, i) => {
    b[F_P0 + i] = v;
  });
  return b;
}

const FIRST_VCPU = 2;
const R1 = 0x100;
const R2 = 0x200;

function filled(): PartitionCache {
  const pc = new PartitionCache(0, 256, FIRST_VCPU);
  for (const root of [R1, R2])
    for (let g = 0; g < 8; g++) pc.apply(msg(Msg.NestedFill, FIRST_VCPU + 1, root, g, 0x9000 + g, 7, 3), 0);
  return pc;
}

/** The partition's shared nested translations (docs/flush-semantics.md, "Shared nested translations"). */
describe('PartitionCache', () => {
  it('a NestedFill makes (nCR3, GPA) -> HPA visible with its provenance and filler', () => {
    const pc = filled();
    const i = pc.peek(R1, 3);
    expect(i).toBeGreaterThanOrEqual(0);
    expect([pc.tlb.hpa(i), pc.tlb.inc(i), pc.tlb.fillUs(i), pc.filler[i]]).toEqual([0x9003, 7, 3, 1]);
    expect(pc.peek(R1, 9)).toBe(-1);
  });

  it('a refill of a present entry replaces translation and provenance without a duplicate', () => {
    const pc = filled();
    pc.apply(msg(Msg.NestedFill, FIRST_VCPU, R1, 3, 0x7777, 8, 5), 0);
    const i = pc.peek(R1, 3);
    expect([pc.tlb.hpa(i), pc.tlb.inc(i), pc.filler[i]]).toEqual([0x7777, 8, 0]);
    expect(pc.tlb.countValid()).toBe(16);
  });

  it('peek never changes the replacement order (reads by one vCPU are invisible to others)', () => {
    const pc = filled();
    const stamps = Array.from({ length: pc.tlb.entries }, (_, i) => pc.tlb.stamp(i));
    for (let g = 0; g < 8; g++) pc.peek(R1, g);
    expect(Array.from({ length: pc.tlb.entries }, (_, i) => pc.tlb.stamp(i))).toEqual(stamps);
  });

  it('a space flush (NestedFlush or HvFlushApply of HvCallFlushGuestPhysicalAddressSpace) drops that nCR3 only', () => {
    for (const type of [Msg.NestedFlush, Msg.HvFlushApply]) {
      const pc = filled();
      pc.apply(msg(type, 1, HV_FLUSH_SPACE, R1, 0, 0), 0);
      expect([pc.peek(R1, 0), pc.peek(R1, 7)]).toEqual([-1, -1]);
      expect(pc.peek(R2, 0)).toBeGreaterThanOrEqual(0);
      expect(pc.tlb.countValid()).toBe(8);
    }
  });

  it('a list flush drops the range of that nCR3, the pages around it kept', () => {
    const pc = filled();
    pc.apply(msg(Msg.HvFlushApply, 1, HV_FLUSH_LIST, R1, 2, 3), 0);
    expect([1, 2, 3, 4, 5].map((g) => pc.peek(R1, g) >= 0)).toEqual([true, false, false, false, true]);
    expect(pc.peek(R2, 3)).toBeGreaterThanOrEqual(0);
  });

  it('a flush of nCR3 -1 (INVEPT all-context, a full flush of every ASID) drops everything', () => {
    const pc = filled();
    pc.apply(msg(Msg.NestedFlush, 1, HV_FLUSH_SPACE, -1, 0, 0), 0);
    expect(pc.tlb.countValid()).toBe(0);
  });

  it('snapshots and restores whole', () => {
    const pc = filled();
    const copy = new PartitionCache(0, 256, FIRST_VCPU);
    copy.load(pc.save());
    expect(copy.peek(R2, 5)).toBe(pc.peek(R2, 5));
    expect(copy.bytes).toBe(pc.bytes);
  });
});
