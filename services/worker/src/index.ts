/**
 * @packageDocumentation
 * The tlbsim worker process: runs shard jobs from BullMQ (see `tlbsim worker`).
 */
export * from './worker.runtime';
