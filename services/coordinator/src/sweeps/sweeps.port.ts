import type { SweepPlan, SweepView } from '@tlbsim/contracts';

/** A page of sweeps, newest first, without their rows. */
export interface SweepPage {
  items: Omit<SweepView, 'rows'>[];
  total: number;
}

/**
 * What the coordinator needs from the sweep store. In production this is
 * `SweepsService` of `@tlbsim/jobs`; also the Nest injection token.
 */
export abstract class SweepsPort {
  /** Stores a planned sweep and queues its points. */
  abstract submit(plan: SweepPlan): Promise<SweepView>;
  /** A sweep with its finished rows, or null if unknown. */
  abstract get(id: string): Promise<SweepView | null>;
  /** Sweeps newest first. */
  abstract list(offset?: number, limit?: number): Promise<SweepPage>;
  /** Releases connections. */
  abstract close(): Promise<void>;
}
