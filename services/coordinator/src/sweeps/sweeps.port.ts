import type { SweepEvent, SweepPlan, SweepView } from '@tlbsim/contracts';
import type { HuntRequest, ShrinkRequest } from '@tlbsim/engine';
import type { CompareJobView, SearchKind, SearchView } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';

/** A page of sweeps, newest first, without their rows. */
export interface SweepPage {
  items: Omit<SweepView, 'rows'>[];
  total: number;
}

/**
 * What the coordinator needs from the store of sweeps, hunts and shrinks
 * (all run as points on the workers). In production this is
 * `SweepsService` of `@tlbsim/jobs`; also the Nest injection token.
 */
export abstract class SweepsPort {
  /** Stores a planned sweep and queues its points. */
  abstract submit(plan: SweepPlan): Promise<SweepView>;
  /** A sweep with its finished rows, or null if unknown. */
  abstract get(id: string): Promise<SweepView | null>;
  /** Sweeps newest first. */
  abstract list(offset?: number, limit?: number): Promise<SweepPage>;
  /** Stores a hunt or shrink and queues its first batch. @throws ScenarioInputError for a bad request */
  abstract submitSearch<R>(
    kind: SearchKind,
    request: HuntRequest | ShrinkRequest,
    name: string,
  ): Promise<SearchView<R>>;
  /** A hunt or shrink, or null if unknown. */
  abstract getSearch<R>(kind: SearchKind, id: string): Promise<SearchView<R> | null>;
  /** Stores a compare job (one point per policy and replication seed; `configs` one per policy, the first the baseline) and queues its points. */
  abstract submitCompare(configs: readonly SimConfig[]): Promise<CompareJobView>;
  /** A compare job with its finished reports (`withReports` false: none, only its state), or null if unknown. */
  abstract getCompare(id: string, withReports?: boolean): Promise<CompareJobView | null>;
  /** The policies' configs a compare job was submitted with, or null if unknown. */
  abstract compareConfigs(id: string): Promise<SimConfig[] | null>;
  /** Events of a sweep, hunt or shrink after stream id `afterId` (null: from the start), without blocking. */
  abstract readEvents(id: string, afterId: string | null, count?: number): Promise<SweepEvent[]>;
  /** Releases connections. */
  abstract close(): Promise<void>;
}
