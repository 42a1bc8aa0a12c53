import { buildScenario, HUNT_BATCH_RUNS, ScenarioInputError, VaryAxis } from '@tlbsim/contracts';
import type { SimConfig, ViolationClass } from '@tlbsim/sim-core';
import { closenessOf, HuntCandidate, HuntOutcome, HuntSearch, HuntSearchState } from './hunt.search';
import type { RunReport } from './report';
import { BatchSearch, PointAnswer, runBatchSearch, runSearchPoint, SearchPoint } from './search.batch';

/** What to hunt in. */
export interface HuntRequest {
  /** The parsed scenario (before overrides). */
  input: unknown;
  /** `dotted.path=value` overrides applied first (`--set`, `--policy`). */
  overrides: readonly string[];
  /** The keys to vary (the seed is always varied). */
  vary: readonly VaryAxis[];
  /** Most runs. @defaultValue 100 when `timeLimitMs` is not set, else unbounded */
  budgetRuns?: number;
  /** Longest hunt in wall-clock ms. @defaultValue unbounded */
  timeLimitMs?: number;
  /** The hunt's own seed: the same seed tries the same candidates. */
  seed: number;
  /** Hunt only this class. @defaultValue any class */
  violationClass?: ViolationClass;
}

/** Counters summed over every run of a hunt, so "no violation" is not "not exercised". */
export interface HuntCoverage {
  rootsReused: number;
  rootsReusedByOtherVm: number;
  hypercalls: number;
  staleHits: number;
  /** Runs in which some root page was reused. */
  runsWithRootReuse: number;
}

/** The result of a hunt. */
export interface HuntResult {
  found: boolean;
  runs: number;
  /** Candidates whose values did not validate (not run, not counted in `runs`). */
  rejected: number;
  elapsedMs: number;
  runsPerSec: number;
  /** The overrides of the failing run (on top of the scenario file), or null. */
  overrides: string[] | null;
  /** The failing scenario, validated, or null. */
  config: SimConfig | null;
  /** The failing run's report (stopped at its first violation), or null. */
  report: RunReport | null;
  coverage: HuntCoverage;
}

/** One evaluated configuration: what the search needs, and the report when it had a violation. */
export type HuntEvaluation = PointAnswer;

/** Options of {@link runHunt}. */
export interface HuntOptions {
  /** Runs one point. @defaultValue in process, stopping at its first violation */
  run?: (point: SearchPoint) => Promise<PointAnswer>;
  /** Clock. @defaultValue Date.now */
  now?: () => number;
  /** Called after each batch. */
  onProgress?: (p: { runs: number; found: boolean; elapsedMs: number }) => void;
}

/** The overrides of a candidate, on top of the request's. */
function overridesOf(request: HuntRequest, c: HuntCandidate): string[] {
  return [...request.overrides, ...Object.entries(c.values).map(([k, v]) => `${k}=${v}`), `seed=${c.seed}`];
}

/**
 * Checks each varied key alone at its extremes (or each of its values):
 * a key the scenario format does not know, or a value its own rule
 * rejects, is an input error; combinations breaking a cross-field rule are
 * only skipped during the hunt.
 *
 * @throws ScenarioInputError naming each bad key
 */
export function checkVary(request: Pick<HuntRequest, 'input' | 'overrides' | 'vary'>): void {
  const errors: ScenarioInputError['errors'][number][] = [];
  for (const axis of request.vary) {
    const texts = axis.kind === 'choice' ? axis.texts : [String(axis.min), String(axis.max)];
    for (const text of texts) {
      try {
        buildScenario(request.input, [...request.overrides, `${axis.key}=${text}`]);
      } catch (error) {
        if (!(error instanceof ScenarioInputError)) throw error;
        errors.push(...error.errors.filter((e) => e.path === axis.key && !errors.some((x) => x.message === e.message)));
      }
    }
  }
  if (errors.length > 0) throw new ScenarioInputError(errors);
}

/** The state of a {@link HuntDriver} between two batches, as JSON. */
export interface HuntDriverState {
  search: HuntSearchState;
  /** Wall-clock ms the hunt started at (for `timeLimitMs`). */
  startedAtMs: number;
  result: Omit<HuntResult, 'elapsedMs' | 'runsPerSec'>;
  /** The batch asked for and not recorded yet. */
  pending: { candidate: HuntCandidate; overrides: string[]; config: SimConfig }[];
  /** The closest run so far: its overrides and how close it came. */
  best: { overrides: string[]; outcome: HuntOutcome } | null;
}

/** Runs of the random phase of a hunt: 30% of the budget (at least 4), 20 without one. */
function randomRunsOf(budget: number): number {
  return Number.isFinite(budget) ? Math.max(4, Math.ceil(budget * 0.3)) : 20;
}

/** The budget of a request. */
function budgetOf(request: HuntRequest): number {
  return request.budgetRuns ?? (request.timeLimitMs === undefined ? 100 : Infinity);
}

/**
 * A hunt as a {@link BatchSearch}: batches of {@link HUNT_BATCH_RUNS}
 * candidates from a {@link HuntSearch}, which learns from each batch before
 * it picks the next; over at the first violation (in batch order), at the
 * budget or at the time limit.
 */
export class HuntDriver implements BatchSearch<HuntResult> {
  private readonly search: HuntSearch;
  private readonly state: HuntDriverState;

  /**
   * @param request - what to hunt in (its keys checked by {@link checkVary})
   * @param now - the clock of the time limit and the rate
   * @param state - where to go on from (see {@link snapshot}); a new hunt when absent
   */
  constructor(
    private readonly request: HuntRequest,
    private readonly now: () => number = Date.now,
    state?: HuntDriverState,
  ) {
    const randomRuns = randomRunsOf(budgetOf(request));
    if (state) {
      this.state = state;
      this.search = HuntSearch.restore(request.vary, randomRuns, state.search);
      return;
    }
    this.search = new HuntSearch(request.vary, request.seed, randomRuns);
    const coverage = { rootsReused: 0, rootsReusedByOtherVm: 0, hypercalls: 0, staleHits: 0, runsWithRootReuse: 0 };
    this.state = {
      search: this.search.snapshot(),
      startedAtMs: now(),
      pending: [],
      best: null,
      result: { found: false, runs: 0, rejected: 0, overrides: null, config: null, report: null, coverage },
    };
  }

  /** Runs tried so far. */
  get runs(): number {
    return this.state.result.runs;
  }

  /** The run that came closest so far (its overrides and counters), or null before the first batch. */
  get best(): HuntDriverState['best'] {
    return this.state.best;
  }

  nextBatch(): SearchPoint[] | null {
    const r = this.state.result;
    const budget = budgetOf(this.request);
    const limit = this.request.timeLimitMs;
    if (r.found || r.runs >= budget || (limit !== undefined && this.now() - this.state.startedAtMs >= limit))
      return null;
    const batch: HuntDriverState['pending'] = [];
    while (batch.length < Math.min(HUNT_BATCH_RUNS, budget - r.runs)) {
      const candidate = this.search.next();
      const overrides = overridesOf(this.request, candidate);
      try {
        batch.push({ candidate, overrides, config: buildScenario(this.request.input, overrides) });
      } catch (error) {
        if (!(error instanceof ScenarioInputError)) throw error;
        // Values valid alone can break a cross-field rule together; give up only if nearly nothing validates.
        if (++r.rejected > 1000 && r.rejected > 10 * r.runs) throw error;
      }
    }
    this.state.pending = batch;
    const cls = this.request.violationClass ?? null;
    return batch.map((b) => ({ label: { ...b.candidate.values, seed: b.candidate.seed }, config: b.config, cls }));
  }

  record(answers: readonly PointAnswer[]): void {
    const r = this.state.result;
    const c = r.coverage;
    const pending = this.state.pending;
    for (let i = 0; i < pending.length && !r.found; i++) {
      const o = answers[i];
      if (!o) throw new Error(`hunt: no answer for run ${i} of the batch`);
      r.runs++;
      c.rootsReused += o.rootsReused;
      c.rootsReusedByOtherVm += o.rootsReusedByOtherVm;
      c.hypercalls += o.hypercalls;
      c.staleHits += o.staleHits;
      if (o.rootsReused > 0) c.runsWithRootReuse++;
      const score = closenessOf(o);
      this.search.record(pending[i].candidate, score);
      if (!this.state.best || score > closenessOf(this.state.best.outcome)) {
        const { report: _report, ...outcome } = o;
        this.state.best = { overrides: pending[i].overrides, outcome };
      }
      if (o.violations > 0) {
        if (!o.report) throw new Error(`hunt: the violating run ${i} of the batch came without its report`);
        Object.assign(r, { found: true, overrides: pending[i].overrides, config: pending[i].config, report: o.report });
      }
    }
    this.state.pending = [];
    this.state.search = this.search.snapshot();
  }

  ends(answer: PointAnswer): boolean {
    return answer.violations > 0;
  }

  result(): HuntResult {
    const elapsedMs = this.now() - this.state.startedAtMs;
    return { ...this.state.result, elapsedMs, runsPerSec: this.state.result.runs / Math.max(elapsedMs / 1000, 1e-3) };
  }

  snapshot(): HuntDriverState {
    return JSON.parse(JSON.stringify(this.state)) as HuntDriverState;
  }
}

/**
 * Searches seeds and the varied keys for a run with a violation in this
 * process (see {@link HuntDriver}); stops at the first one, at the budget or
 * at the time limit.
 *
 * @throws ScenarioInputError for a bad varied key
 */
export async function runHunt(request: HuntRequest, opts: HuntOptions = {}): Promise<HuntResult> {
  checkVary(request);
  const now = opts.now ?? Date.now;
  const driver = new HuntDriver(request, now);
  return runBatchSearch(driver, {
    run: opts.run ?? runSearchPoint,
    onBatch: () =>
      opts.onProgress?.({ runs: driver.runs, found: driver.result().found, elapsedMs: driver.result().elapsedMs }),
  });
}
