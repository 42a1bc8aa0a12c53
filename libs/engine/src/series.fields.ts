import { C, COUNTER_NAMES, SERIES_COUNTERS } from '@tlbsim/sim-core';
import type { RunSeriesPoint } from './report';

/**
 * The counters of a report's series point and of a `window-completed` event,
 * each the sum of kernel counter slots. sim-core's `SERIES_COUNTERS` says
 * which slots the kernel samples; this says what each public field adds up.
 * The report (run-result.ts), the workers' progress events (libs/jobs) and,
 * by type, the dashboard all derive from it.
 */
export const SERIES_FIELDS = {
  accesses: [C.accesses],
  tlbHits: [C.tlbHits],
  tlbMisses: [C.tlbMisses],
  nestedWalks: [C.nestedWalks],
  hypercalls: [C.hvFlushSpace, C.hvFlushList],
  shootdownMessages: [C.shootdownMessages],
  violations: [C.violationsCrossVm, C.violationsUseAfterFree, C.violationsStaleMapping, C.violationsStaleRoot],
} as const satisfies Record<Exclude<keyof RunSeriesPoint, 'window' | 'timeNs'>, readonly number[]>;

/** A series field name. */
export type SeriesField = keyof typeof SERIES_FIELDS;

/** The series fields of one sample. */
export type SeriesFields = Record<SeriesField, number>;

/** The series field names, in {@link SERIES_FIELDS} order. */
export const SERIES_FIELD_NAMES = Object.keys(SERIES_FIELDS) as SeriesField[];

/** The fields of one sample, reading each kernel counter slot with `read`. */
export function seriesFieldsOf(read: (slot: number) => number): SeriesFields {
  const out = {} as SeriesFields;
  for (const name of SERIES_FIELD_NAMES)
    out[name] = SERIES_FIELDS[name].reduce((sum: number, slot: number) => sum + read(slot), 0);
  return out;
}

/** Position of each counter slot in a series record after the window ({@link SERIES_COUNTERS} order). */
const SERIES_OFFSET = new Map<number, number>(SERIES_COUNTERS.map((slot, i) => [slot, 1 + i]));

// Every slot a field adds must be sampled by the kernel, or the report would read another counter.
for (const name of SERIES_FIELD_NAMES) {
  for (const slot of SERIES_FIELDS[name]) {
    if (!SERIES_OFFSET.has(slot))
      throw new Error(`series field ${name}: counter ${COUNTER_NAMES[slot]} is not in sim-core's SERIES_COUNTERS`);
  }
}

/** The fields of the series record that starts at `offset` of a flat series ([window, ...SERIES_COUNTERS values] per record). */
export function seriesFieldsAt(series: readonly number[], offset: number): SeriesFields {
  return seriesFieldsOf((slot) => series[offset + SERIES_OFFSET.get(slot)!]);
}
