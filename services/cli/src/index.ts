/**
 * @packageDocumentation
 * Reusable parts of the `tlbsim` CLI: scenario loading, report and
 * comparison formatting, the program builder. The executable is `main.ts`.
 */
export * from './cli.context';
export * from './exit-codes';
export * from './format.util';
export * from './scenario.loader';
export * from './report.formatter';
export * from './compare.formatter';
export * from './progress.reporter';
export * from './program';
export * from './commands/scenario.options';
export * from './commands/run.command';
export * from './commands/compare.command';
export * from './commands/schema.command';
