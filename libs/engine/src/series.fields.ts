import { SERIES_FIELD_NAMES, SeriesCounts, SeriesField } from '@tlbsim/contracts';
import { C, COUNTER_NAMES, SERIES_COUNTERS } from '@tlbsim/sim-core';

/**
 * What each public series counter (contracts' `SERIES_FIELD_NAMES`: a
 * report's series point and a `window-completed` event) adds up: a sum of
 * kernel counter slots. sim-core's `SERIES_COUNTERS` says which slots the
 * kernel samples; every one of them is added by exactly one field (checked
 * when this module loads). The report (run-result.ts) and the workers'
 * progress events (libs/jobs) read their counters through it.
 */
export const SERIES_FIELDS = {
  accesses: [C.accesses],
  tlbHits: [C.tlbHits],
  tlbMisses: [C.tlbMisses],
  nestedWalks: [C.nestedWalks],
  hypercalls: [C.hvFlushSpace, C.hvFlushList],
  shootdownMessages: [C.shootdownMessages],
  violations: [C.violationsCrossVm, C.violationsUseAfterFree, C.violationsStaleMapping, C.violationsStaleRoot],
} as const satisfies Record<SeriesField, readonly number[]>;

/** The fields of one sample, reading each kernel counter slot with `read`. */
export function seriesFieldsOf(read: (slot: number) => number): SeriesCounts {
  const out = {} as SeriesCounts;
  for (const name of SERIES_FIELD_NAMES)
    out[name] = SERIES_FIELDS[name].reduce((sum: number, slot: number) => sum + read(slot), 0);
  return out;
}

/** Position of each counter slot in a series record after the window ({@link SERIES_COUNTERS} order). */
const SERIES_OFFSET = new Map<number, number>(SERIES_COUNTERS.map((slot, i) => [slot, 1 + i]));

/**
 * The disagreements of {@link SERIES_FIELDS} with sim-core's
 * `SERIES_COUNTERS`, one line each (none: they agree): a slot a field adds
 * must be sampled by the kernel (or the report would read another counter),
 * and every sampled slot must be added by exactly one field (or the public
 * counters would miss or double count it).
 */
export function seriesFieldsDrift(
  fields: Readonly<Record<string, readonly number[]>> = SERIES_FIELDS,
  sampled: readonly number[] = SERIES_COUNTERS,
): string[] {
  const problems: string[] = [];
  const addedBy = new Map<number, string[]>();
  for (const [name, slots] of Object.entries(fields)) {
    for (const slot of slots) {
      if (!sampled.includes(slot))
        problems.push(`series field ${name}: counter ${COUNTER_NAMES[slot]} is not in sim-core's SERIES_COUNTERS`);
      addedBy.set(slot, [...(addedBy.get(slot) ?? []), name]);
    }
  }
  for (const slot of sampled) {
    const names = addedBy.get(slot) ?? [];
    if (names.length !== 1)
      problems.push(`counter ${COUNTER_NAMES[slot]} of SERIES_COUNTERS is added by ${names.length} series fields`);
  }
  return problems;
}

// Loading a build whose lists drifted apart fails at once, before any report is read.
const drift = seriesFieldsDrift();
if (drift.length > 0) throw new Error(drift.join('\n'));

/** The fields of the series record that starts at `offset` of a flat series ([window, ...SERIES_COUNTERS values] per record). */
export function seriesFieldsAt(series: readonly number[], offset: number): SeriesCounts {
  return seriesFieldsOf((slot) => series[offset + SERIES_OFFSET.get(slot)!]);
}
