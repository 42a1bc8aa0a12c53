/**
 * @packageDocumentation
 * The tlbsim worker process: runs shard jobs from BullMQ. `src/main.ts` is
 * the process containers start; `tlbsim worker` calls {@link runWorkerProcess}.
 */
export * from './worker.runtime';
export * from './worker.process';
export * from './shutdown.util';
