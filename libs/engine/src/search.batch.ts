import type { SimConfig, ViolationClass } from '@tlbsim/sim-core';
import type { HuntOutcome } from './hunt.search';
import { runInProcess } from './in-process.runner';
import type { RunReport } from './report';
import { stopAtViolation } from './violation.stop';

/** One run a batched search asks for: a configuration, run until its first violation (of `cls`). */
export interface SearchPoint {
  /** What the run varies, for tables: the varied values and seed (hunt), the key tried (shrink). */
  label: Record<string, string | number | boolean>;
  config: SimConfig;
  /** The class the run stops at and counts; null: any class. */
  cls: ViolationClass | null;
}

/** What a search learns from one point: its counters, and its report when it had a violation (of the point's class). */
export interface PointAnswer extends HuntOutcome {
  report?: RunReport;
}

/**
 * A search run as a sequence of batches of points (`tlbsim hunt`, `tlbsim
 * shrink`): the points of a batch are independent, so they can run on
 * several workers at once; the next batch depends on the answers. The same
 * batches and the same answers give the same result wherever they ran.
 */
export interface BatchSearch<R> {
  /** The next batch (never empty), or null when the search is over. */
  nextBatch(): SearchPoint[] | null;
  /**
   * Records the answers of the last batch, in its order. Answers may stop
   * after one that ends the search (in process, the rest is not run).
   */
  record(answers: readonly PointAnswer[]): void;
  /** The result, once {@link nextBatch} returned null. */
  result(): R;
  /** The state as JSON, to go on elsewhere (each search has its own `restore`). */
  snapshot(): unknown;
  /** Whether an answer ends the search at once (the rest of its batch need not run). */
  ends(answer: PointAnswer): boolean;
}

/** The counters of a report, counting violations of `cls` only when given; the report is kept when it has one. */
export function pointAnswerOf(report: RunReport, cls?: ViolationClass | null): PointAnswer {
  const m = report.metrics;
  const violations = cls ? report.violations.byClass[cls] : report.violations.total;
  const answer: PointAnswer = {
    violations,
    staleHits: m.staleHits,
    rootsReused: m.roots.pageReused,
    rootsReusedByOtherVm: m.roots.reusedByOtherVm,
    hypercalls: m.hypercalls.flushGuestPhysicalAddressSpace + m.hypercalls.flushGuestPhysicalAddressList,
  };
  if (violations > 0) answer.report = report;
  return answer;
}

/** Runs a configuration in process until its first violation (of `cls`), keeping at least one witness. */
export function runToFirstViolation(config: SimConfig, cls?: ViolationClass | null): Promise<RunReport> {
  const cfg = { ...config, run: { ...config.run, witnessesMax: Math.max(1, config.run.witnessesMax) } };
  return runInProcess(cfg, { shards: 1, stopWhen: stopAtViolation(cls ?? undefined) });
}

/** Runs one point in this process (what a worker does with a point of a hunt or shrink). */
export async function runSearchPoint(point: SearchPoint): Promise<PointAnswer> {
  return pointAnswerOf(await runToFirstViolation(point.config, point.cls), point.cls);
}

/** Options of {@link runBatchSearch}. */
export interface BatchSearchOptions {
  /** Runs one point. @defaultValue {@link runSearchPoint} */
  run?: (point: SearchPoint) => Promise<PointAnswer>;
  /** Called after each batch with the points run so far. */
  onBatch?: (pointsDone: number) => void;
}

/** Drives a search in this process: each batch's points one after the other, stopping a batch at an answer that ends the search. */
export async function runBatchSearch<R>(search: BatchSearch<R>, opts: BatchSearchOptions = {}): Promise<R> {
  const run = opts.run ?? runSearchPoint;
  let done = 0;
  for (let batch = search.nextBatch(); batch; batch = search.nextBatch()) {
    const answers: PointAnswer[] = [];
    for (const point of batch) {
      const answer = await run(point);
      answers.push(answer);
      done++;
      if (search.ends(answer)) break;
    }
    search.record(answers);
    opts.onBatch?.(done);
  }
  return search.result();
}
