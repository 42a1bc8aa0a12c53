/** The job was finished, cancelled or failed elsewhere while this shard ran; the shard stops. */
export class JobFinishedError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is finished or cancelled`);
    this.name = 'JobFinishedError';
  }
}
