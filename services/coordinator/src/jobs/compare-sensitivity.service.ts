import { Injectable, Logger } from '@nestjs/common';
import { comparisonAt, comparisonVerdictOf, RunReport, sensitivityOf, SensitivityRun } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import { SweepsPort } from '../sweeps/sweeps.port';

/** How often a re-run's compare job is looked at until it ended. @defaultValue 250 */
const RERUN_POLL_MS = 250;

/** Sensitivity analyses kept (the oldest finished one is dropped beyond it). @defaultValue 50 */
const KEPT_MAX = 50;

/**
 * Sensitivity analyses of compares (`POST /api/compare/:groupId/sensitivity`):
 * `sensitivityOf` of the engine, the same bisection as `tlbsim compare
 * --sensitivity`, each re-run a compare job on the workers and the
 * parameters side by side. This process drives the bisection and keeps its
 * state in memory: a coordinator restart loses an analysis in flight (POST
 * again to start it over; its finished re-runs are not reused).
 */
@Injectable()
export class CompareSensitivityService {
  private readonly runs = new Map<string, SensitivityRun>();
  private readonly log = new Logger('CompareSensitivity');

  constructor(private readonly sweeps: SweepsPort) {}

  /** The analysis of compare `groupId`, or undefined if none was started here. */
  get(groupId: string): SensitivityRun | undefined {
    return this.runs.get(groupId);
  }

  /** Starts the analysis of `configs` (the policies' configs, the first the baseline) from `verdict`; returns it running. */
  start(groupId: string, configs: readonly SimConfig[], verdict: string | null): SensitivityRun {
    const run: SensitivityRun = { groupId, state: 'running', verdict, reruns: 0, params: null, error: null };
    this.runs.delete(groupId);
    this.runs.set(groupId, run);
    this.prune();
    const verdictAt = async (c: SimConfig): Promise<string | null> => {
      const verdictThere = comparisonVerdictOf(await this.rerun(comparisonAt(configs, c)));
      run.reruns++;
      return verdictThere;
    };
    sensitivityOf(configs[0], verdict, verdictAt, { parallel: true }).then(
      (params) => Object.assign(run, { state: 'completed', params }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log.warn(`sensitivity of ${groupId} failed: ${message}`);
        Object.assign(run, { state: 'failed', error: message.split('\n')[0] });
      },
    );
    return run;
  }

  /** Runs one comparison as a compare job on the workers and waits for its reports. @throws Error when it failed */
  private async rerun(configs: readonly SimConfig[]): Promise<RunReport[][]> {
    const { id } = await this.sweeps.submitCompare(configs);
    for (;;) {
      const state = await this.sweeps.getCompare(id, false);
      if (!state) throw new Error(`re-run ${id} expired`);
      if (state.state === 'failed') throw new Error(`re-run ${id} failed: ${state.error ?? 'unknown'}`);
      if (state.state === 'completed') {
        const view = await this.sweeps.getCompare(id);
        if (view && view.runs.every((rs) => rs.every((r) => r !== null))) return view.runs as RunReport[][];
        throw new Error(`re-run ${id} completed without its reports`);
      }
      await new Promise((r) => setTimeout(r, RERUN_POLL_MS));
    }
  }

  /** Drops the oldest finished analyses beyond {@link KEPT_MAX}. */
  private prune(): void {
    for (const [id, run] of this.runs) {
      if (this.runs.size <= KEPT_MAX) return;
      if (run.state !== 'running') this.runs.delete(id);
    }
  }
}
