/**
 * @packageDocumentation
 * Distributed runs: job orchestration on BullMQ, Redis repositories, the
 * Redis Streams transport of shard messages, snapshots and resume.
 */
export * from './barrier-left.error';
export * from './barrier-timeout.error';
export * from './batch.codec';
export * from './event-stream.repository';
export * from './job-finalizer.service';
export * from './job-resize.service';
export * from './incomplete-export.error';
export * from './job-finished.error';
export * from './job-gone.error';
export * from './job-limit.error';
export * from './job-not-active.error';
export * from './resize-input.error';
export * from './job.export';
export * from './job.keys';
export * from './job.projection';
export * from './job.replay';
export * from './job.repository';
export * from './jobs.constants';
export * from './jobs.container';
export * from './jobs.service';
export * from './redis-connection.monitor';
export * from './redis.batch';
export * from './redis.client';
export * from './redis.probe';
export * from './redis-unreachable.error';
export * from './redis.target';
export * from './redis.transport';
export * from './scheduler.repository';
export * from './scheduler.service';
export * from './shard-exchange.repository';
export * from './shard.store';
export * from './redis-shard.store';
export * from './in-memory-shard.store';
export * from './in-memory-shard.state';
export * from './shard-execution.service';
export * from './shard-run.ports';
export * from './job.report';
export * from './resize.commit';
export * from './protocol/shard-run.protocol';
export * from './protocol/barrier-watch.protocol';
export * from './shard-interrupted.error';
export * from './shard-queue.repository';
export * from './shard-snapshot.codec';
export * from './shard-superseded.error';
export * from './stream-id';
export * from './worker-registry.repository';
export * from './search-batches.service';
export * from './sweep-point.service';
export * from './sweep-queue.repository';
export * from './sweep.keys';
export * from './sweep.repository';
export * from './sweeps.service';
export * from './tagged.keys';
