/**
 * @packageDocumentation
 * The tlbsim coordinator: NestJS HTTP API over the job store, SSE, health,
 * metrics, queue admin UI and the bundled dashboard. Started by `tlbsim serve`.
 */
export * from './coordinator.options';
export * from './common/log-format';
export * from './coordinator.bootstrap';
export { DASHBOARD_FILES } from './http/dashboard.mount';
export * from './app.module';
export * from './jobs/jobs.port';
export * from './jobs/jobs.dto';
export * from './jobs/jobs.service';
export type { CompareView } from './jobs/compare.service';
export * from './scenarios/scenarios.service';
