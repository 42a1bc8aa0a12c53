import type { CoordinatorOptions } from '../coordinator.options';
import { storePortProvider } from './store-port.provider';

abstract class Port {
  abstract readonly from: string;
}

describe('storePortProvider', () => {
  const options = { redisUrl: 'redis://x:1', prefix: 'p', retentionSec: 9 } as CoordinatorOptions;
  const provider = storePortProvider<Port>(
    Port,
    (o) => (o as CoordinatorOptions & { port?: Port }).port,
    (o) => ({ from: `${o.redisUrl} ${o.prefix} ${o.retentionSec}` }),
  );

  it('provides the port class from the coordinator options', () => {
    expect(provider.provide).toBe(Port);
    expect(provider.inject).toHaveLength(1);
  });

  it('uses the store given in the options, else builds one on their Redis, prefix and retention', () => {
    const given: Port = { from: 'given' };
    expect(provider.useFactory({ ...options, port: given })).toBe(given);
    expect(provider.useFactory(options)).toEqual({ from: 'redis://x:1 p 9' });
  });
});
