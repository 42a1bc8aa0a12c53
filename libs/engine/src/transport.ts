/**
 * How shards exchange a window's messages. A shard publishes what it sent in
 * window k and whether all its vCPUs are done, and gets back everything sent
 * to it in window k (delivered in window k+1) once every shard of the job has
 * published window k: the exchange is also the window barrier.
 */
export interface ShardTransport {
  /**
   * Publishes shard `shard`'s window `window` and waits for the barrier.
   * @returns the inbound batches for the next window and whether every shard
   * reported done in this window.
   */
  exchange(shard: number, window: number, outbound: Map<number, Float64Array>, done: boolean): Promise<ExchangeResult>;
}

/** What a shard gets back from {@link ShardTransport.exchange}. */
export interface ExchangeResult {
  inbound: Float64Array[];
  allDone: boolean;
}
