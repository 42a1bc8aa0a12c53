import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { JobView, SweepState } from '@tlbsim/contracts';
import {
  CompareFigures,
  compareFigures,
  ComparisonEstimates,
  replicatedCompareFigures,
  RunReport,
} from '@tlbsim/engine';
import { isCompareJobId } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import { SweepsPort } from '../sweeps/sweeps.port';
import { CompareSensitivityService } from './compare-sensitivity.service';
import { CompareJobsDto } from './jobs.dto';
import { JobsApiService, submissionOverrides } from './jobs.service';
import { JobsPort } from './jobs.port';

/**
 * A compare (`GET /api/compare/:groupId`): a group of jobs, one per policy
 * (one replication), or a compare job whose points run every policy on
 * every replication seed; the reports of those finished and the figures of
 * `tlbsim compare`.
 */
export interface CompareView extends CompareFigures {
  groupId: string;
  /** `jobs`: one sharded job per policy; `points`: one compare job, a point per policy and seed. */
  kind: 'jobs' | 'points';
  /** In the order given; the first is the baseline. */
  policies: string[];
  /** The jobs of a `jobs` compare (same order); empty for `points`. */
  jobs: JobView[];
  /** Same order: the report of each policy's first replication (the scenario's seed); null while it has none. */
  results: (RunReport | null)[];
  /** Replications per policy. */
  replications: number;
  /** Their seeds (the same for every policy). */
  seeds: number[];
  /** A `points` compare: its state, points finished, and why it failed; absent for `jobs`. */
  points?: { state: SweepState; done: number; total: number; error: string | null };
  /** Once every run finished: the estimates of `tlbsim compare --json` (means, 95% intervals, convergence); else null. */
  estimates: ComparisonEstimates | null;
  /** Half-width of the 95% interval of each `timeOverheadVsFirst` (null with one replication or until finished). */
  timeOverheadVsFirstCi95: (number | null)[];
  /** Whether each `timeOverheadVsFirst` is converged (null until finished). */
  timeOverheadVsFirstConverged: (boolean | null)[];
}

/**
 * Compares through the API: a group of sharded jobs for one replication
 * (as before), a compare job on the workers for several
 * (`run.replications` > 1), and the sensitivity of a finished compare.
 */
@Injectable()
export class CompareApiService {
  constructor(
    private readonly jobs: JobsApiService,
    private readonly port: JobsPort,
    private readonly sweeps: SweepsPort,
    private readonly sensitivity: CompareSensitivityService,
  ) {}

  /** Queues one job per policy, grouped; with replications, one compare job of points (`groupId` its id, `jobs` empty). */
  async submit(body: CompareJobsDto): Promise<{ groupId: string; jobs: JobView[]; replications: number }> {
    const scenario = await this.jobs.scenarioOf(body);
    const replications = scenario.run.replications;
    if (replications > 1) {
      const job = await this.sweeps.submitCompare(configsOf(scenario, body.policies));
      return { groupId: job.id, jobs: [], replications };
    }
    const group = await this.port.submitCompare(scenario, body.policies, {
      shards: scenario.run.shards,
      overrides: submissionOverrides(body),
    });
    return { ...group, replications };
  }

  /** A compare and its figures; 404 if unknown. */
  async view(groupId: string): Promise<CompareView> {
    const job = isCompareJobId(groupId) ? await this.sweeps.getCompare(groupId) : null;
    if (job) {
      const done = job.runs.every((rs) => rs.every((r) => r !== null));
      const results = job.runs.map((rs) => rs[0] ?? null);
      return {
        groupId,
        kind: 'points',
        policies: job.policies,
        jobs: [],
        results,
        points: { state: job.state, done: job.pointsDone, total: job.points, error: job.error },
        ...figuresOf(done ? (job.runs as RunReport[][]) : null, results, job.seeds),
      };
    }
    const jobs = await this.port.group(groupId);
    if (jobs.length === 0) throw new NotFoundException(`no compare group ${groupId}`);
    const results = await Promise.all(jobs.map((j) => (j.state === 'completed' ? this.port.result(j.id) : null)));
    const done = results.every((r) => r !== null);
    return {
      groupId,
      kind: 'jobs',
      policies: jobs.map((j) => j.policy),
      jobs,
      results,
      ...figuresOf(done ? results.map((r) => [r as RunReport]) : null, results, [jobs[0].seed]),
    };
  }

  /**
   * Starts the sensitivity of a finished compare on the workers (or returns
   * the one started before); 404 if unknown, 409 while a run is missing.
   */
  async startSensitivity(groupId: string): Promise<ReturnType<CompareSensitivityService['get']>> {
    const running = this.sensitivity.get(groupId);
    if (running && running.state !== 'failed') return running;
    const view = await this.view(groupId);
    if (!view.estimates)
      throw new ConflictException(`compare ${groupId} has not finished: its sensitivity starts from its verdict`);
    const configs = await this.configsOf(view);
    const verdict = view.cheapestCorrect ?? view.cheapestWithoutViolation;
    return this.sensitivity.start(groupId, configs, verdict);
  }

  /** The sensitivity of a compare; 404 if none was started. */
  sensitivityOf(groupId: string): NonNullable<ReturnType<CompareSensitivityService['get']>> {
    const run = this.sensitivity.get(groupId);
    if (!run) throw new NotFoundException(`no sensitivity of compare ${groupId} (POST to start one)`);
    return run;
  }

  /** The policies' configs of a compare (a job's scenario each, or those the compare job was submitted with). */
  private async configsOf(view: CompareView): Promise<SimConfig[]> {
    const configs =
      view.kind === 'points'
        ? await this.sweeps.compareConfigs(view.groupId)
        : await Promise.all(view.jobs.map((j) => this.port.scenario(j.id)));
    if (!configs || configs.some((c) => c === null))
      throw new NotFoundException(`compare ${view.groupId}: its scenario has expired`);
    return configs as SimConfig[];
  }
}

/** The policies' configs of a compare: the scenario under each policy. */
function configsOf(scenario: SimConfig, policies: readonly string[]): SimConfig[] {
  return policies.map((p) => ({ ...scenario, kvm: { ...scenario.kvm, policy: p as SimConfig['kvm']['policy'] } }));
}

/** The figures of a compare: over every replication once all finished, else those of the first replications so far. */
function figuresOf(
  runs: RunReport[][] | null,
  results: readonly (RunReport | null)[],
  seeds: number[],
): Omit<CompareView, 'groupId' | 'kind' | 'policies' | 'jobs' | 'results' | 'points'> {
  if (runs) {
    const f = replicatedCompareFigures(runs);
    return { ...f, seeds: f.seeds };
  }
  // Partial: the first replications' figures (a single run each, no interval), until every run is in.
  return {
    ...compareFigures(seeds.length > 1 ? results.map(() => null) : results),
    replications: seeds.length,
    seeds,
    estimates: null,
    timeOverheadVsFirstCi95: results.map(() => null),
    timeOverheadVsFirstConverged: results.map(() => null),
  };
}
