import { RunReport } from '@tlbsim/engine';
import type { SweepsService } from '@tlbsim/jobs';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import type { ProgressMode } from '../progress.reporter';
import { followPoints } from './points.follow';

/** A comparison that did not complete on the workers (failed, or expired): one line. */
export class CompareJobFailedError extends Error {}

/**
 * Runs a comparison on the workers as one compare job: each policy on each
 * replication seed is a point, run in process by some worker (as a sweep
 * point), so the replications of every policy run side by side. The
 * reports are those `runReplications` gives in process, to the bit.
 *
 * @returns `runs[p]`: the replications of policy p, in seed order
 * @throws CompareJobFailedError when the job failed or expired
 */
export async function runComparisonOnWorkers(
  ctx: CliContext,
  sweeps: SweepsService,
  configs: readonly SimConfig[],
  mode: ProgressMode | undefined,
  note = '',
): Promise<RunReport[][]> {
  const { id, points } = await sweeps.submitCompare(configs);
  if (mode !== 'none') ctx.io.err(`tlbsim: ${note}submitted compare ${id} (${points} points)\n`);
  await followPoints(ctx, sweeps, id, 'compare', mode);
  const view = await sweeps.getCompare(id);
  if (view?.state === 'completed' && view.runs.every((rs) => rs.every((r) => r !== null)))
    return view.runs as RunReport[][];
  throw new CompareJobFailedError(
    `${note}compare ${id} ${view?.state ?? 'expired'}${view?.error ? `: ${view.error}` : ''}`,
  );
}
