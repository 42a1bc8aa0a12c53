/**
 * An export of a job that did not complete: it has no digest a replay could
 * reproduce unless it carries a partial report and the replay stops at its
 * window (`--until-window`); also thrown for an `--until-window` that does
 * not match that window, or given with the export of a completed job.
 */
export class IncompleteExportError extends Error {
  /**
   * @param partialWindows - windows of the export's partial report, or null if it has none
   * @param untilWindow - the window the replay was asked to stop at, if any
   */
  constructor(
    readonly jobId: string,
    readonly state: string,
    readonly partialWindows: number | null = null,
    readonly untilWindow?: number,
  ) {
    super(IncompleteExportError.messageOf(jobId, state, partialWindows, untilWindow));
    this.name = 'IncompleteExportError';
  }

  private static messageOf(jobId: string, state: string, partialWindows: number | null, untilWindow?: number): string {
    if (state === 'completed')
      return `job ${jobId} completed: its digest covers the whole run; replay it without --until-window`;
    const head = `job ${jobId} did not complete (${state})`;
    if (partialWindows === null) return `${head}: its export has no digest to reproduce, so there is nothing to replay`;
    const hint = `its partial report covers ${partialWindows} windows: replay it with --until-window ${partialWindows}`;
    if (untilWindow === undefined) return `${head}: ${hint}`;
    return `${head}: --until-window ${untilWindow} has no recorded digest; ${hint}`;
  }
}
