import type { FactoryProvider } from '@nestjs/common';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';

/** The connection options every store of `@tlbsim/jobs` is built from. */
export type StoreOptions = { redisUrl: string; prefix?: string; retentionSec?: number };

/**
 * Provides a store port (`JobsPort`, `SweepsPort`): the one given in the
 * coordinator's options (tests), else `create` on the options' Redis (the
 * `@tlbsim/jobs` service connects on first use).
 *
 * @param token - the port class (the Nest injection token)
 * @param given - the ready-made store of the options, if any
 * @param create - builds the real store
 */
export function storePortProvider<P>(
  token: abstract new (...args: never[]) => P,
  given: (o: CoordinatorOptions) => P | undefined,
  create: (o: StoreOptions) => P,
): FactoryProvider<P> {
  return {
    provide: token,
    useFactory: (options: CoordinatorOptions): P =>
      given(options) ??
      create({ redisUrl: options.redisUrl, prefix: options.prefix, retentionSec: options.retentionSec }),
    inject: [COORDINATOR_OPTIONS],
  };
}
