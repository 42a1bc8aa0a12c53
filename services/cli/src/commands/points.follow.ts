import type { SweepEvent, SweepKind } from '@tlbsim/contracts';
import { ScenarioInputError } from '@tlbsim/contracts';
import type { SearchKind, SearchView, SweepsService } from '@tlbsim/jobs';
import type { CliContext } from '../cli.context';
import { fmtInt } from '../format.util';
import { createPointsReporter, ProgressMode } from '../progress.reporter';
import { redisArgsOf } from './redis.options';

/** The best so far of a progress event, in a few words ('' when there is none; a compare's is a sweep's: the most violations). */
export function bestText(kind: SweepKind, best: SweepEvent['best']): string {
  if (!best) return '';
  if (kind === 'sweep' || kind === 'compare')
    return `${fmtInt(Number(best.violations))} violations (point ${String(best.index)}, ${String(best.policy)})`;
  if (kind === 'shrink')
    return `${fmtInt(Number(best.vms))} VMs, ${fmtInt(Number(best.vcpus))} vCPUs, ${fmtInt(Number(best.witnessEvents))} witness events`;
  const o = (best.outcome ?? {}) as Record<string, number>;
  return `violations ${fmtInt(o.violations ?? 0)}, stale hits ${fmtInt(o.staleHits ?? 0)}, roots reused ${fmtInt(o.rootsReused ?? 0)}`;
}

/**
 * Follows a sweep, hunt or shrink on the workers through its event stream,
 * with a progress bar of its points (`--progress`), until it ended.
 */
export async function followPoints(
  ctx: CliContext,
  sweeps: SweepsService,
  id: string,
  kind: SweepKind,
  mode?: ProgressMode,
): Promise<void> {
  const progress = createPointsReporter(ctx.io, `${kind} ${id}`, mode);
  try {
    await sweeps.follow(id, (e) =>
      progress.update({
        done: e.pointsDone,
        points: e.points,
        pointsMax: e.pointsMax,
        perSec: e.pointsPerSec,
        best: bestText(e.kind, e.best),
      }),
    );
  } finally {
    progress.stop();
  }
}

/**
 * Submits a hunt or shrink to the workers, follows it and returns its
 * result (the same as in process).
 *
 * @throws ScenarioInputError for a bad request, or the input errors that ended it (a shrink with no violation)
 * @returns null (after one line on standard error) when it failed otherwise
 */
export async function runSearchOnWorkers<R>(
  ctx: CliContext,
  sweeps: SweepsService,
  submit: () => Promise<SearchView<R>>,
  url: string,
  mode?: ProgressMode,
): Promise<R | null> {
  if ((await sweeps.liveWorkers()) === 0)
    ctx.io.err(
      `tlbsim: no live workers on ${url}: the runs wait for \`tlbsim worker ${redisArgsOf(url).join(' ')}\`\n`,
    );
  const { id, kind } = await submit();
  ctx.io.err(`tlbsim: submitted ${kind} ${id}\n`);
  await followPoints(ctx, sweeps, id, kind, mode);
  const view = await sweeps.getSearch<R>(kind as SearchKind, id);
  if (view?.state === 'completed' && view.result) return view.result;
  if (view?.errors) throw new ScenarioInputError(view.errors);
  ctx.io.err(`tlbsim: ${kind} ${id} ${view?.state ?? 'expired'}${view?.error ? `: ${view.error}` : ''}\n`);
  return null;
}
