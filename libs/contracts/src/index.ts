/**
 * @packageDocumentation
 * Scenario format of tlbsim: DTOs, defaults, limits, validation into the
 * kernel's `SimConfig`, overrides, YAML/JSON parsing and JSON Schema.
 */
import 'reflect-metadata';

export * from './scenario.types';
export type {
  BooleanKeyDecl,
  EnumKeyDecl,
  GroupDecl,
  NameKeyDecl,
  NumberKeyDecl,
  ScenarioDeclaration,
  ScenarioKeyDecl,
} from './scenario-key.decl';
export * from './scenario.keys';
export * from './scenario.defaults';
export * from './scenario.limits';
export * from './scenario.descriptions';
export * from './field-error.type';
export * from './field-error.messages';
export * from './closest-name.util';
export * from './request-field.messages';
export * from './scenario-input.error';
export * from './scenario-field.decorator';
export * from './platform.dto';
export * from './kvm.dto';
export * from './fleet.dto';
export * from './tlb.dto';
export * from './workload.dto';
export * from './events.dto';
export * from './latency.dto';
export * from './costs.dto';
export * from './run.dto';
export * from './scenario.dto';
export * from './scenario.cross-checks';
export * from './scenario.overrides';
export * from './scenario.parser';
export * from './nesting-depth.checker';
export * from './environment.schema';
export * from './exit-codes';
export * from './scenario.writer';
export * from './scenario.validator';
export * from './scenario.schema';
export * from './scenario.docs';
export * from './job.types';
export * from './job-event.types';
export * from './series.counts';
export * from './sweep.types';
export * from './sweep.plan';
export * from './hunt.vary';
export * from './validation-errors.util';
export * from './policy-list.validator';
export * from './scenario.totals';
export * from './search.options';
export * from './replication.seeds';
