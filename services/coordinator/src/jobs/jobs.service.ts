import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { buildScenario, FieldError, JobPage, JobView, ScenarioInputError, withShorthands } from '@tlbsim/contracts';
import { RunReport } from '@tlbsim/engine';
import { SimConfig } from '@tlbsim/sim-core';
import { badRequest } from '../common/validation.pipe';
import { ScenariosService } from '../scenarios/scenarios.service';
import { ListJobsQueryDto, OVERRIDE_PATTERN, ResizeJobDto, ScenarioSourceDto, SubmitJobDto } from './jobs.dto';
import { JobsPort } from './jobs.port';

/**
 * The overrides a submission stands for, as the CLI builds them: every
 * `overrides` entry in order, then the shorthands (so they win).
 */
export function submissionOverrides(body: ScenarioSourceDto & { policy?: string }): string[] {
  return withShorthands(body.overrides ?? [], body);
}

/** Job submission and queries: validation here, storage in the {@link JobsPort}. */
@Injectable()
export class JobsApiService {
  constructor(
    private readonly port: JobsPort,
    private readonly scenarios: ScenariosService,
  ) {}

  /**
   * Validates the scenario of a submission (object or shipped name, then
   * overrides) exactly as the CLI does.
   *
   * @throws ScenarioInputError listing every bad field (400)
   */
  async scenarioOf(body: ScenarioSourceDto & { policy?: string }): Promise<SimConfig> {
    return buildScenario(await this.inputOf(body), submissionOverrides(body));
  }

  /**
   * The unvalidated scenario of a submission: its `scenario` object or the
   * shipped scenario `scenarioName` (exactly one of them).
   *
   * @throws BadRequestException when both or neither are given; NotFoundException for an unknown name
   */
  async inputOf(body: ScenarioSourceDto): Promise<unknown> {
    if (body.scenario !== undefined && body.scenarioName !== undefined) {
      throw badRequest('invalid request', [
        {
          path: 'scenario',
          value: undefined,
          constraint: 'exclusive',
          message: 'give either scenario or scenarioName, not both',
        },
      ]);
    }
    if (body.scenario === undefined && body.scenarioName === undefined) {
      throw badRequest('invalid request', [
        {
          path: 'scenario',
          value: undefined,
          constraint: 'required',
          message: 'scenario (an object) or scenarioName (a shipped scenario) is required',
        },
      ]);
    }
    return body.scenario ?? (await this.scenarios.load(body.scenarioName as string));
  }

  /**
   * The scenario errors of a raw submission body whose request fields
   * `badPaths` were refused: its scenario (object or shipped name) with the
   * overrides and shorthands that were not refused. Empty when there is no
   * scenario to check or it is valid. For the one-pass 400 of the validation pipe.
   */
  async scenarioErrorsOf(raw: unknown, badPaths: ReadonlySet<string>): Promise<readonly FieldError[]> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
    const b = raw as Record<string, unknown>;
    const ok = (k: string): boolean => b[k] !== undefined && !badPaths.has(k);
    let input: unknown = null;
    if (ok('scenario') && b.scenarioName === undefined && typeof b.scenario === 'object' && !Array.isArray(b.scenario))
      input = b.scenario;
    else if (ok('scenarioName') && b.scenario === undefined && typeof b.scenarioName === 'string')
      input = await this.scenarios.load(b.scenarioName).catch(() => null);
    if (input === null || input === undefined) return [];
    const overrides = Array.isArray(b.overrides)
      ? b.overrides.filter((o): o is string => typeof o === 'string' && OVERRIDE_PATTERN.test(o))
      : [];
    const pick = (k: 'seed' | 'shards' | 'policy' | 'replications'): string | undefined =>
      ok(k) ? String(b[k]) : undefined;
    const shorthands = {
      seed: pick('seed'),
      shards: pick('shards'),
      policy: pick('policy'),
      replications: pick('replications'),
    };
    try {
      buildScenario(input, withShorthands(overrides, shorthands));
      return [];
    } catch (error) {
      if (error instanceof ScenarioInputError) return error.errors;
      throw error;
    }
  }

  /** Queues one run. */
  async submit(body: SubmitJobDto): Promise<JobView> {
    const scenario = await this.scenarioOf(body);
    return this.port.submit(scenario, { shards: scenario.run.shards, overrides: submissionOverrides(body) });
  }

  /** A page of jobs, newest first. */
  list(query: ListJobsQueryDto): Promise<JobPage> {
    return this.port.list({
      offset: query.offset ?? 0,
      limit: query.limit ?? 50,
      state: query.state,
      groupId: query.groupId,
    });
  }

  /** One job; 404 if unknown. */
  async get(id: string): Promise<JobView> {
    const job = await this.port.get(id);
    if (!job) throw new NotFoundException(`no job ${id}`);
    return job;
  }

  /** The report of a completed job (or the partial report of a cancelled or failed one); 404 if unknown, 409 if it has none (yet). */
  async result(id: string): Promise<RunReport> {
    const report = await this.port.result(id);
    if (report) return report;
    const job = await this.get(id);
    throw new ConflictException(`job ${id} has no result (state ${job.state})`);
  }

  /** Cancels a job; 404 if unknown. */
  async cancel(id: string): Promise<JobView> {
    const job = await this.port.cancel(id);
    if (!job) throw new NotFoundException(`no job ${id}`);
    return job;
  }

  /** Resizes a queued or running job; 404 if unknown, 400 for a count it cannot run on, 409 if it is finished. */
  async resize(id: string, body: ResizeJobDto): Promise<JobView> {
    const job = await this.port.resize(id, body.shards);
    if (!job) throw new NotFoundException(`no job ${id}`);
    return job;
  }

  /** The NDJSON export of a job (its inputs and events); 404 if unknown. */
  async export(id: string): Promise<AsyncIterable<string>> {
    await this.get(id);
    return this.port.exportJob(id);
  }
}
