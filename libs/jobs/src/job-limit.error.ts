/** A submission exceeds a limit (pending jobs, shards, policies); nothing was stored. */
export class JobLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobLimitError';
  }
}
