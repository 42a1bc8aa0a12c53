import { Inject, Injectable, NotFoundException, OnApplicationShutdown } from '@nestjs/common';
import { planSweep, SweepView } from '@tlbsim/contracts';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { JobsApiService, submissionOverrides } from '../jobs/jobs.service';
import { ListSweepsQueryDto, SubmitSweepDto } from './sweeps.dto';
import { SweepPage, SweepsPort } from './sweeps.port';

/** Sweep submission and queries: planning (validation, limits) here, storage in the {@link SweepsPort}. */
@Injectable()
export class SweepsApiService implements OnApplicationShutdown {
  constructor(
    private readonly port: SweepsPort,
    private readonly jobs: JobsApiService,
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
  ) {}

  /**
   * Plans the sweep exactly as `tlbsim sweep` does and queues its points.
   *
   * @throws ScenarioInputError (400) for a bad scenario, grid or policy, or a sweep over {@link SWEEP_LIMITS}
   */
  async submit(body: SubmitSweepDto): Promise<SweepView> {
    const input = await this.jobs.inputOf(body);
    const plan = planSweep(input, {
      grid: body.grid,
      policies: body.policies,
      seeds: body.seeds,
      overrides: submissionOverrides(body),
    });
    return this.port.submit(plan);
  }

  /** One sweep with its rows; 404 if unknown. */
  async get(id: string): Promise<SweepView> {
    const sweep = await this.port.get(id);
    if (!sweep) throw new NotFoundException(`no sweep ${id}`);
    return sweep;
  }

  /** A page of sweeps, newest first. */
  list(query: ListSweepsQueryDto): Promise<SweepPage> {
    return this.port.list(query.offset ?? 0, query.limit ?? 50);
  }

  /** Nest shutdown hook: closes the store the coordinator built (not one it was given). */
  async onApplicationShutdown(): Promise<void> {
    if (!this.options.sweeps) await this.port.close();
  }
}
