export * from './digest';
export * from './in-memory.transport';
export * from './in-process.runner';
export * from './report';
export * from './run-result';
export * from './shard.runner';
export * from './transport';
export * from './sweep.rows';
