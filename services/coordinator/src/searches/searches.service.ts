import { Injectable, NotFoundException } from '@nestjs/common';
import { parseHuntOptions, parseShrinkOptions } from '@tlbsim/contracts';
import type { HuntResult, ShrinkResult } from '@tlbsim/engine';
import type { SearchKind, SearchView } from '@tlbsim/jobs';
import { JobsApiService, submissionOverrides } from '../jobs/jobs.service';
import { SweepsPort } from '../sweeps/sweeps.port';
import { SubmitHuntDto, SubmitShrinkDto } from './searches.dto';

/** The scenario name of an input, for the job's name. */
function nameOf(input: unknown): string {
  const name = (input as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/** Hunt and shrink submission and queries: the options checked as `tlbsim hunt`/`shrink` check them, storage in the {@link SweepsPort}. */
@Injectable()
export class SearchesApiService {
  constructor(
    private readonly port: SweepsPort,
    private readonly jobs: JobsApiService,
  ) {}

  /**
   * Queues a hunt: batches of runs on the workers, the same runs and result as `tlbsim hunt` for the hunt seed.
   *
   * @throws ScenarioInputError (400) for a bad scenario, varied key, budget or time
   */
  async submitHunt(body: SubmitHuntDto): Promise<SearchView<HuntResult>> {
    const input = await this.jobs.inputOf(body);
    const params = parseHuntOptions({
      vary: body.vary,
      budget: body.budget,
      time: body.time,
      huntSeed: body.huntSeed,
      class: body.class,
    });
    return this.port.submitSearch<HuntResult>(
      'hunt',
      { input, overrides: submissionOverrides(body), ...params },
      `hunt: ${nameOf(input)}`,
    );
  }

  /**
   * Queues a shrink; a scenario with no violation (of the class) ends it `failed` with `errors`.
   *
   * @throws ScenarioInputError (400) for a bad scenario, class or seeds
   */
  async submitShrink(body: SubmitShrinkDto): Promise<SearchView<ShrinkResult>> {
    const input = await this.jobs.inputOf(body);
    const params = parseShrinkOptions({ class: body.class, seeds: body.seeds });
    return this.port.submitSearch<ShrinkResult>(
      'shrink',
      { input, overrides: submissionOverrides(body), ...params },
      `shrink: ${nameOf(input)}`,
    );
  }

  /** One hunt or shrink; 404 if unknown. */
  async get<R>(kind: SearchKind, id: string): Promise<SearchView<R>> {
    const view = await this.port.getSearch<R>(kind, id);
    if (!view) throw new NotFoundException(`no ${kind} ${id}`);
    return view;
  }
}
