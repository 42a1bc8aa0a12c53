/** Per-window series of a job, rebuilt from its `window-completed` events. */
import type { RunSeriesPoint, SeriesField } from '@tlbsim/engine';
import type { JobEvent } from './api';

/**
 * Cumulative counters a `window-completed` event carries: engine's
 * `SERIES_FIELD_NAMES`, which the bundle cannot import (it would pull in the
 * engine), so the copy is checked by type: a field added there and not here
 * fails tsc (see {@link MissingKeys}).
 */
const KEYS = [
  'accesses',
  'violations',
  'hypercalls',
  'shootdownMessages',
  'nestedWalks',
  'tlbHits',
  'tlbMisses',
] as const satisfies readonly SeriesField[];
type Key = (typeof KEYS)[number];
/** Series fields missing from {@link KEYS}: must be none. */
type MissingKeys = Exclude<SeriesField, Key>;
const _allKeys: [MissingKeys] extends [never] ? true : MissingKeys = true;
type Sample = Record<Key, number>;

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
    if (event.type !== 'window-completed' || event.window === undefined) return false;
    const shard = event.shard ?? 0;
    const byWindow = this.shards.get(shard) ?? new Map<number, Sample>();
    const sample = {} as Sample;
    for (const key of KEYS) sample[key] = Number(event[key] ?? 0);
    byWindow.set(event.window, sample);
    this.shards.set(shard, byWindow);
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
      const sample = {} as Sample;
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
    const total = Object.fromEntries(KEYS.map((k) => [k, 0])) as Sample;
    for (const byWindow of this.shards.values()) {
      let best = -1;
      for (const w of byWindow.keys()) if (w <= window && w > best) best = w;
      const s = best >= 0 ? byWindow.get(best) : undefined;
      if (s) for (const k of KEYS) total[k] += s[k];
    }
    return total;
  }

  private delta(cur: { window: number; sample: Sample }, prev: { window: number; sample: Sample } | null): SeriesPoint {
    const p = prev?.sample ?? (Object.fromEntries(KEYS.map((k) => [k, 0])) as Sample);
    const d = (k: Key): number => Math.max(0, cur.sample[k] - p[k]);
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
