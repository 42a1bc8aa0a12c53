import { SweepsService } from '@tlbsim/jobs';
import { storePortProvider } from '../common/store-port.provider';
import { SweepsPort } from './sweeps.port';

/** Provides {@link SweepsPort}: the store given in the options (tests), else `SweepsService` of `@tlbsim/jobs` on `redisUrl`. */
export const SWEEPS_PORT_PROVIDER = storePortProvider<SweepsPort>(
  SweepsPort,
  (o) => o.sweeps,
  (o) => new SweepsService(o),
);
