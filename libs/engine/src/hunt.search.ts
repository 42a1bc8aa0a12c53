import type { VaryAxis } from '@tlbsim/contracts';
import { Prng } from '@tlbsim/sim-core';

/** One configuration to try: a value text per varied key, and a seed. */
export interface HuntCandidate {
  values: Record<string, string>;
  seed: number;
}

/** What the search learns from one run (a report, or a sweep row's counters). */
export interface HuntOutcome {
  /** Violations of the class hunted for (all classes when none is given). */
  violations: number;
  staleHits: number;
  rootsReused: number;
  rootsReusedByOtherVm: number;
  hypercalls: number;
}

/** How close a run came to a violation, highest first. */
export function closenessOf(o: HuntOutcome): number {
  // A violation beats everything; then stale hits, then the reuse that makes them possible.
  return o.violations * 1e12 + o.staleHits * 1e6 + o.rootsReusedByOtherVm * 1e3 + o.rootsReused;
}

/** The state of a {@link HuntSearch}, as JSON (a hunt on the workers keeps it in Redis between batches). */
export interface HuntSearchState {
  rngState: number;
  best: { candidate: HuntCandidate; score: number }[];
  tried: number;
}

/** Candidates kept to search around. */
const KEPT = 4;

/** Share of runs spent around the closest candidates once the random phase is over. */
const AROUND_SHARE = 0.7;

/**
 * The candidate generator of `tlbsim hunt`, like a swarm test: random
 * values within the varied keys' bounds and a random seed first, then
 * mostly small moves around the runs that came closest to a violation
 * (more page reuse, more stale hits), with random ones still mixed in.
 * Deterministic for a given seed.
 */
export class HuntSearch {
  private readonly rng: Prng;
  private readonly best: { candidate: HuntCandidate; score: number }[] = [];
  private tried = 0;

  /**
   * @param axes - the varied keys
   * @param seed - the hunt's own seed (not a scenario seed)
   * @param randomRuns - runs of the random phase
   */
  constructor(
    private readonly axes: readonly VaryAxis[],
    seed: number,
    private readonly randomRuns: number,
  ) {
    this.rng = new Prng((seed >>> 0) ^ 0x68756e74);
  }

  /** The search's state (see {@link HuntSearch.restore}). */
  snapshot(): HuntSearchState {
    return {
      rngState: this.rng.state,
      best: this.best.map((b) => ({
        candidate: { values: { ...b.candidate.values }, seed: b.candidate.seed },
        score: b.score,
      })),
      tried: this.tried,
    };
  }

  /** A search that goes on exactly where `state` was taken. */
  static restore(axes: readonly VaryAxis[], randomRuns: number, state: HuntSearchState): HuntSearch {
    const search = new HuntSearch(axes, 0, randomRuns);
    search.rng.state = state.rngState;
    search.best.push(...state.best);
    search.tried = state.tried;
    return search;
  }

  /** The next candidate to try. */
  next(): HuntCandidate {
    this.tried++;
    const around = this.tried > this.randomRuns && this.best.length > 0 && this.rng.nextFloat() < AROUND_SHARE;
    return around ? this.mutate(this.best[this.rng.nextInt(this.best.length)].candidate) : this.random();
  }

  /** Records how close a candidate came. */
  record(candidate: HuntCandidate, score: number): void {
    this.best.push({ candidate, score });
    this.best.sort((a, b) => b.score - a.score);
    this.best.length = Math.min(this.best.length, KEPT);
  }

  private random(): HuntCandidate {
    const values: Record<string, string> = {};
    for (const axis of this.axes) values[axis.key] = this.pick(axis);
    return { values, seed: this.rng.nextU32() };
  }

  /** Each key moved with probability 1/2 (a range by up to a quarter of its span); mostly a new seed. */
  private mutate(base: HuntCandidate): HuntCandidate {
    const values = { ...base.values };
    for (const axis of this.axes) {
      if (this.rng.nextFloat() >= 0.5) continue;
      if (axis.kind === 'choice') {
        values[axis.key] = this.pick(axis);
        continue;
      }
      const span = axis.max - axis.min;
      const moved = Number(values[axis.key]) + (this.rng.nextFloat() * 2 - 1) * span * 0.25;
      values[axis.key] = this.format(axis, Math.min(axis.max, Math.max(axis.min, moved)));
    }
    return { values, seed: this.rng.nextFloat() < 0.8 ? this.rng.nextU32() : base.seed };
  }

  private pick(axis: VaryAxis): string {
    if (axis.kind === 'choice') return axis.texts[this.rng.nextInt(axis.texts.length)];
    return this.format(axis, axis.min + this.rng.nextFloat() * (axis.max - axis.min));
  }

  private format(axis: Extract<VaryAxis, { kind: 'range' }>, value: number): string {
    return axis.integer ? String(Math.round(value)) : String(Number(value.toPrecision(6)));
  }
}
