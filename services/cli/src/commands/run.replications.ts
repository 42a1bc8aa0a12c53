import { policyEstimatesOf, RunReport, runReplications } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { createProgressReporter, ProgressMode } from '../progress.reporter';

/**
 * Runs the replications of `config` after the first (`first`, the run at
 * the scenario's own seed) and sets `first.replications`: every cost figure
 * over all of them as a mean with a 95% interval (`run --replications N`).
 * Nothing to do for one replication.
 */
export async function addReplications(
  ctx: CliContext,
  config: SimConfig,
  first: RunReport,
  mode?: ProgressMode,
): Promise<void> {
  const n = config.run.replications;
  if (n <= 1) return;
  const reports = await runReplications(config, async (c, i) => {
    if (i === 0) return first;
    const progress = createProgressReporter(ctx.io, `${c.kvm.policy} seed ${c.seed} (${i + 1}/${n})`, mode);
    try {
      return await ctx.run(c, { onProgress: (p) => progress.update(p) });
    } finally {
      progress.stop();
    }
  });
  first.replications = policyEstimatesOf(reports);
}
