/** An export of a job that did not complete: it has no digest a replay could reproduce. */
export class IncompleteExportError extends Error {
  constructor(readonly jobId: string, readonly state: string) {
    super(`job ${jobId} did not complete (${state}): its export has no digest to reproduce, so there is nothing to replay`);
    this.name = 'IncompleteExportError';
  }
}
