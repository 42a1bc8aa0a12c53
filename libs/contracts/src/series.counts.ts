/**
 * The public series counters: the cumulative counts a report's series point
 * (`RunReport.series.points`) and a job's `window-completed` event carry.
 * The one list of their names: engine's `SERIES_FIELDS` says which kernel
 * counter slots each adds up (and checks at load that they are exactly the
 * slots sim-core's `SERIES_COUNTERS` samples); the event, the report point
 * and (by type, as it bundles no runtime code of this package) the
 * dashboard's charts derive from it.
 *
 * The order is the order of the keys in the JSON of the report's series and
 * of the events (unchanged since before this list existed).
 * - `accesses`: guest accesses simulated
 * - `tlbHits`, `tlbMisses`: guest TLB lookups that hit or missed
 * - `nestedWalks`: two-dimensional page walks
 * - `hypercalls`: flush hypercalls (GPA space plus GPA list)
 * - `shootdownMessages`: TLB shootdown messages sent
 * - `violations`: coherence violations, all four classes
 */
export const SERIES_FIELD_NAMES = [
  'accesses',
  'tlbHits',
  'tlbMisses',
  'nestedWalks',
  'hypercalls',
  'shootdownMessages',
  'violations',
] as const;

/** A series counter name (one of {@link SERIES_FIELD_NAMES}). */
export type SeriesField = (typeof SERIES_FIELD_NAMES)[number];

/** The series counters of one sample, each named in {@link SERIES_FIELD_NAMES}. */
export type SeriesCounts = { [F in SeriesField]: number };
