import { SERIES_FIELD_NAMES } from '@tlbsim/contracts';
import { C, SERIES_COUNTERS, SERIES_WIDTH } from '@tlbsim/sim-core';
import { SERIES_FIELDS, seriesFieldsAt, seriesFieldsDrift, seriesFieldsOf } from './series.fields';

describe('series fields', () => {
  it('sum their kernel counter slots (hypercalls = GPA-space + GPA-list, violations = all four classes)', () => {
    const counters = new Map<number, number>([
      [C.accesses, 1000],
      [C.tlbHits, 900],
      [C.tlbMisses, 100],
      [C.nestedWalks, 40],
      [C.hvFlushSpace, 3],
      [C.hvFlushList, 4],
      [C.shootdownMessages, 5],
      [C.violationsCrossVm, 1],
      [C.violationsUseAfterFree, 2],
      [C.violationsStaleMapping, 3],
      [C.violationsStaleRoot, 4],
    ]);
    expect(seriesFieldsOf((slot) => counters.get(slot) ?? 0)).toEqual({
      accesses: 1000,
      tlbHits: 900,
      tlbMisses: 100,
      nestedWalks: 40,
      hypercalls: 7,
      shootdownMessages: 5,
      violations: 10,
    });
  });

  it('read a flat series record by slot, whatever the order of SERIES_COUNTERS', () => {
    // Two records: [window, ...one value per sampled slot]; each value encodes its slot and record.
    const series = [0, 1].flatMap((r) => [r * 10, ...SERIES_COUNTERS.map((slot) => 1000 * r + slot)]);
    expect(series).toHaveLength(2 * SERIES_WIDTH);
    const second = seriesFieldsAt(series, SERIES_WIDTH);
    expect(second.accesses).toBe(1000 + C.accesses);
    expect(second.hypercalls).toBe(2000 + C.hvFlushSpace + C.hvFlushList);
    expect(Object.keys(second)).toEqual(SERIES_FIELD_NAMES);
  });

  it("add up exactly the slots sim-core's SERIES_COUNTERS samples, each once", () => {
    expect(seriesFieldsDrift()).toEqual([]);
    expect(Object.keys(SERIES_FIELDS).sort()).toEqual([...SERIES_FIELD_NAMES].sort());
    const { hypercalls: _dropped, ...withoutHypercalls } = SERIES_FIELDS;
    expect(seriesFieldsDrift(withoutHypercalls)).toEqual([
      'counter hvFlushSpace of SERIES_COUNTERS is added by 0 series fields',
      'counter hvFlushList of SERIES_COUNTERS is added by 0 series fields',
    ]);
    expect(seriesFieldsDrift({ ...SERIES_FIELDS, tlbHits: [C.tlbHits, C.accesses] })).toEqual([
      'counter accesses of SERIES_COUNTERS is added by 2 series fields',
    ]);
    expect(seriesFieldsDrift(SERIES_FIELDS, SERIES_COUNTERS.slice(1))).toEqual([
      "series field accesses: counter accesses is not in sim-core's SERIES_COUNTERS",
    ]);
  });
});
