import { C, COUNTER_SLOTS } from './counters';
import { F_SRC, F_TYPE, Msg, MSG_WIDTH } from './message';
import { MF } from './message.schema';
import { PartitionCache } from './partition-cache';
import { ReportedKeys } from './reported-keys';
import { checkSharedHit, REPORT_CAUSE_ROOT, REPORT_SHARED, SHARED_REPORTED_BYTES_MAX } from './stale-hit.checker';
import { VmView } from './vm-view';

const FILL = MF[Msg.NestedFill];
const NCR3 = 5000;

/** A partition cache holding (NCR3, gpa) -> gpa's boot HPA, filled under root incarnation `inc`, at slot j. */
function sharedEntry(part: PartitionCache, gpa: number, inc: number): number {
  const b = new Float64Array(MSG_WIDTH);
  b[F_TYPE] = Msg.NestedFill;
  b[F_SRC] = 0;
  b[FILL.ncr3] = NCR3;
  b[FILL.gpa] = gpa;
  b[FILL.hpa] = gpa;
  b[FILL.inc] = inc;
  b[FILL.fillUs] = 1;
  part.apply(b, 0);
  const j = part.peek(NCR3, gpa);
  expect(j).toBeGreaterThanOrEqual(0);
  return j;
}

describe('checkSharedHit', () => {
  const view = new VmView(64, 0); // GPA g -> HPA g: the mappings are right, only incarnations differ

  it('reports a shared entry of another root incarnation once, then counts it as known', () => {
    const part = new PartitionCache(0, 256, 0);
    const reported = new ReportedKeys(0, 64);
    const counters = new Float64Array(COUNTER_SLOTS);
    const j = sharedEntry(part, 3, 1);
    const first = checkSharedHit(part, view, j, 2, 0, 0, reported, counters);
    expect(first).not.toBeNull();
    expect(first![0] & (REPORT_SHARED | REPORT_CAUSE_ROOT)).toBe(REPORT_SHARED | REPORT_CAUSE_ROOT);
    expect(first!.slice(1, 4)).toEqual([3, 3, 1]);
    expect(checkSharedHit(part, view, j, 2, 0, 0, reported, counters)).toBeNull();
    expect(counters[C.staleHits]).toBe(2);
    // The current incarnation's own entry is not stale at all.
    expect(checkSharedHit(part, view, sharedEntry(part, 4, 2), 2, 0, 0, reported, counters)).toBeNull();
    expect(counters[C.staleHits]).toBe(2);
  });

  it('starts over when one more incarnation would pass SHARED_REPORTED_BYTES_MAX', () => {
    // A region so large that one incarnation's page map nearly fills the budget.
    const pages = SHARED_REPORTED_BYTES_MAX - 4096;
    const part = new PartitionCache(0, 256, 0);
    const reported = new ReportedKeys(0, pages);
    const big = new VmView(64, 0);
    const counters = new Float64Array(COUNTER_SLOTS);
    const a = sharedEntry(part, 3, 1);
    const b = sharedEntry(part, 4, 7);
    expect(checkSharedHit(part, big, a, 9, 0, 0, reported, counters)).not.toBeNull();
    expect(reported.bytes).toBeLessThanOrEqual(SHARED_REPORTED_BYTES_MAX);
    // Incarnation 7 would need a second map: the set starts over, so entry a is reported again.
    expect(checkSharedHit(part, big, b, 9, 0, 0, reported, counters)).not.toBeNull();
    expect(reported.incarnations).toBe(1);
    expect(reported.bytes).toBeLessThanOrEqual(SHARED_REPORTED_BYTES_MAX);
    expect(checkSharedHit(part, big, a, 9, 0, 0, reported, counters)).not.toBeNull();
  });
});
