/** Per-window series of a job, rebuilt from its `window-completed` events. */
import type { JobEvent, SeriesCounts, SeriesField } from '@tlbsim/contracts';
import type { RunSeriesPoint } from '@tlbsim/engine';

/**
 * A zero of every series counter a `window-completed` event carries
 * (contracts' `SeriesCounts`). The bundle cannot import contracts'
 * `SERIES_FIELD_NAMES` (it would pull in the DTOs), so the names are the keys
 * of this object, whose type is that list's: a field added to or dropped
 * from it fails tsc here.
 */
const ZERO: { readonly [F in SeriesField]: 0 } = {
  accesses: 0,
  tlbHits: 0,
  tlbMisses: 0,
  nestedWalks: 0,
  hypercalls: 0,
  shootdownMessages: 0,
  violations: 0,
};
/** The series counter names, from {@link ZERO}. */
const KEYS = Object.keys(ZERO) as SeriesField[];
type Sample = SeriesCounts;

/** One point of the charts: deltas over the windows since the previous point, all shards summed. */
export interface SeriesPoint {
  window: number;
  /** Windows this point covers. */
  span: number;
  hitRate: number | null;
  nestedWalks: number;
  hypercalls: number;
  shootdownMessages: number;
  violations: number;
  violationsTotal: number;
}

/** Accumulates shard samples; {@link points} sums shards and differentiates. */
export class JobSeries {
  private readonly shards = new Map<number, Map<number, Sample>>();
  private dirty = true;
  private cache: SeriesPoint[] = [];

  /** Adds a `window-completed` event (others are ignored); true if it was one. */
  add(event: JobEvent): boolean {
    if (event.type !== 'window-completed') return false;
    const byWindow = this.shards.get(event.shard) ?? new Map<number, Sample>();
    const sample: Sample = { ...ZERO };
    // Events of an older build may lack a counter.
    for (const key of KEYS) sample[key] = Number(event[key] ?? 0);
    byWindow.set(event.window, sample);
    this.shards.set(event.shard, byWindow);
    this.dirty = true;
    return true;
  }

  /**
   * Replaces the live samples with a finished run's own time series
   * (`RunReport.series`, sampled evenly over the whole run by the kernel,
   * the same for any shard count): sharper than the throttled live events.
   */
  useReportSeries(points: readonly RunSeriesPoint[]): void {
    if (points.length === 0) return;
    const byWindow = new Map<number, Sample>();
    for (const p of points) {
      const sample: Sample = { ...ZERO };
      for (const key of KEYS) sample[key] = p[key];
      byWindow.set(p.window - 1, sample);
    }
    this.shards.clear();
    this.shards.set(0, byWindow);
    this.dirty = true;
  }

  /** The chart points, windows ascending (at most `maxPoints`, merged evenly). */
  points(maxPoints = 300): SeriesPoint[] {
    if (!this.dirty) return this.cache;
    const windows = [...new Set([...this.shards.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const step = Math.max(1, Math.ceil(windows.length / maxPoints));
    const picked = windows.filter((_, i) => i % step === step - 1 || i === windows.length - 1);
    const totals = picked.map((w) => ({ window: w, sample: this.totalAt(w) }));
    this.cache = totals.map((cur, i) => this.delta(cur, i === 0 ? null : totals[i - 1]));
    this.dirty = false;
    return this.cache;
  }

  /** Sum over shards of each shard's latest cumulative sample at or before `window`. */
  private totalAt(window: number): Sample {
    const total: Sample = { ...ZERO };
    for (const byWindow of this.shards.values()) {
      let best = -1;
      for (const w of byWindow.keys()) if (w <= window && w > best) best = w;
      const s = best >= 0 ? byWindow.get(best) : undefined;
      if (s) for (const k of KEYS) total[k] += s[k];
    }
    return total;
  }

  private delta(cur: { window: number; sample: Sample }, prev: { window: number; sample: Sample } | null): SeriesPoint {
    const p = prev?.sample ?? ZERO;
    const d = (k: SeriesField): number => Math.max(0, cur.sample[k] - p[k]);
    const lookups = d('tlbHits') + d('tlbMisses');
    return {
      window: cur.window,
      span: Math.max(1, cur.window - (prev?.window ?? -1)),
      hitRate: lookups > 0 ? (100 * d('tlbHits')) / lookups : null,
      nestedWalks: d('nestedWalks'),
      hypercalls: d('hypercalls'),
      shootdownMessages: d('shootdownMessages'),
      violations: d('violations'),
      violationsTotal: cur.sample.violations,
    };
  }
}
