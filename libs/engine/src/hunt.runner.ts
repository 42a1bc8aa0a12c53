import { buildScenario, ScenarioInputError, VaryAxis } from '@tlbsim/contracts';
import type { SimConfig, ViolationClass } from '@tlbsim/sim-core';
import { closenessOf, HuntCandidate, HuntOutcome, HuntSearch } from './hunt.search';
import { runInProcess } from './in-process.runner';
import type { RunReport } from './report';
import { stopAtViolation } from './violation.stop';

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

/** One evaluated configuration: what the search needs, and the report when it was run here. */
export interface HuntEvaluation extends HuntOutcome {
  report?: RunReport;
}

/** Options of {@link runHunt}. */
export interface HuntOptions {
  /** Runs a batch of configurations. @defaultValue one after the other in process, each stopping at its first violation */
  evaluate?: (configs: SimConfig[]) => Promise<HuntEvaluation[]>;
  /** Configurations per batch (the workers' parallelism when distributed). @defaultValue 1 */
  batchSize?: number;
  /** Clock. @defaultValue Date.now */
  now?: () => number;
  /** Called after each batch. */
  onProgress?: (p: { runs: number; found: boolean; elapsedMs: number }) => void;
}

/** The search's view of a report, counting violations of `cls` only when given. */
export function huntOutcomeOf(report: RunReport, cls?: ViolationClass): HuntEvaluation {
  const m = report.metrics;
  return {
    violations: cls ? report.violations.byClass[cls] : report.violations.total, staleHits: m.staleHits, rootsReused: m.roots.pageReused,
    rootsReusedByOtherVm: m.roots.reusedByOtherVm, hypercalls: m.hypercalls.flushGuestPhysicalAddressSpace + m.hypercalls.flushGuestPhysicalAddressList, report,
  };
}

/** Runs a configuration in process until its first violation (of `cls`), keeping at least one witness. */
export function runToFirstViolation(config: SimConfig, cls?: ViolationClass): Promise<RunReport> {
  const cfg = { ...config, run: { ...config.run, witnessesMax: Math.max(1, config.run.witnessesMax) } };
  return runInProcess(cfg, { shards: 1, stopWhen: stopAtViolation(cls) });
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

/**
 * Searches seeds and the varied keys for a run with a violation (see
 * {@link HuntSearch}); stops at the first one, at the budget or at the
 * time limit.
 */
export async function runHunt(request: HuntRequest, opts: HuntOptions = {}): Promise<HuntResult> {
  checkVary(request);
  const now = opts.now ?? Date.now;
  const started = now();
  const budget = request.budgetRuns ?? (request.timeLimitMs === undefined ? 100 : Infinity);
  const search = new HuntSearch(request.vary, request.seed, Number.isFinite(budget) ? Math.max(4, Math.ceil(budget * 0.3)) : 20);
  const evaluate = opts.evaluate ?? (async (configs) => {
    const out: HuntEvaluation[] = [];
    for (const c of configs) out.push(huntOutcomeOf(await runToFirstViolation(c, request.violationClass), request.violationClass));
    return out;
  });
  const coverage: HuntCoverage = { rootsReused: 0, rootsReusedByOtherVm: 0, hypercalls: 0, staleHits: 0, runsWithRootReuse: 0 };
  const result: HuntResult = { found: false, runs: 0, rejected: 0, elapsedMs: 0, runsPerSec: 0, overrides: null, config: null, report: null, coverage };
  while (!result.found && result.runs < budget && (request.timeLimitMs === undefined || now() - started < request.timeLimitMs)) {
    const batch: { candidate: HuntCandidate; overrides: string[]; config: SimConfig }[] = [];
    while (batch.length < Math.min(opts.batchSize ?? 1, budget - result.runs)) {
      const candidate = search.next();
      const overrides = overridesOf(request, candidate);
      try {
        batch.push({ candidate, overrides, config: buildScenario(request.input, overrides) });
      } catch (error) {
        if (!(error instanceof ScenarioInputError)) throw error;
        // Values valid alone can break a cross-field rule together; give up only if nearly nothing validates.
        if (++result.rejected > 1000 && result.rejected > 10 * result.runs) throw error;
      }
    }
    const outcomes = await evaluate(batch.map((b) => b.config));
    for (let i = 0; i < batch.length && !result.found; i++) {
      const o = outcomes[i];
      result.runs++;
      coverage.rootsReused += o.rootsReused;
      coverage.rootsReusedByOtherVm += o.rootsReusedByOtherVm;
      coverage.hypercalls += o.hypercalls;
      coverage.staleHits += o.staleHits;
      if (o.rootsReused > 0) coverage.runsWithRootReuse++;
      search.record(batch[i].candidate, closenessOf(o));
      if (o.violations > 0) {
        result.found = true;
        result.overrides = batch[i].overrides;
        result.config = batch[i].config;
        result.report = o.report ?? await runToFirstViolation(batch[i].config, request.violationClass);
      }
    }
    result.elapsedMs = now() - started;
    opts.onProgress?.({ runs: result.runs, found: result.found, elapsedMs: result.elapsedMs });
  }
  result.elapsedMs = now() - started;
  result.runsPerSec = result.runs / Math.max(result.elapsedMs / 1000, 1e-3);
  return result;
}
