/** A request that needs a queued or running job (a resize) named a finished one (HTTP 409, CLI exit 2). */
export class JobNotActiveError extends Error {
  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(`job ${jobId} is ${state}: only a queued or running job can be resized`);
    this.name = 'JobNotActiveError';
  }
}
