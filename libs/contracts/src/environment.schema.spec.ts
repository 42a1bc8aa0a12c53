import { readFileSync } from 'fs';
import { join } from 'path';
import {
  ENVIRONMENT_VARIABLES,
  EnvironmentError,
  environmentErrors,
  environmentTable,
  envInteger,
  envList,
  envRate,
  envText,
} from './environment.schema';

describe('the environment, declared once', () => {
  it('docs/environment.md holds the table made from the declarations', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/environment.md'), 'utf8');
    expect(doc).toContain(environmentTable());
  });

  it('reads defaults when unset or empty, and the value when valid', () => {
    expect(envInteger({}, 'TLBSIM_MAX_BODY_BYTES')).toBe(262144);
    expect(envInteger({ TLBSIM_MAX_BODY_BYTES: '  ' }, 'TLBSIM_MAX_BODY_BYTES')).toBe(262144);
    expect(envInteger({ TLBSIM_MAX_BODY_BYTES: '4096' }, 'TLBSIM_MAX_BODY_BYTES')).toBe(4096);
    expect(envRate({}, 'TLBSIM_RATE_LIMIT')).toEqual({ limit: 1200, ttlMs: 60_000 });
    expect(envRate({ TLBSIM_RATE_LIMIT: '10/2' }, 'TLBSIM_RATE_LIMIT')).toEqual({ limit: 10, ttlMs: 2000 });
    expect(envText({}, 'TLBSIM_LOG_FORMAT')).toBe('auto');
    expect(envText({}, 'TLBSIM_API_TOKEN')).toBeUndefined();
    expect(envList({ TLBSIM_CORS_ORIGINS: 'a, b,,c' }, 'TLBSIM_CORS_ORIGINS')).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['TLBSIM_MAX_BODY_BYTES', 'abc', /TLBSIM_MAX_BODY_BYTES: expected an integer 1024\.\.67108864, got "abc"/],
    ['TLBSIM_MAX_BODY_BYTES', '12', /expected an integer 1024\.\./],
    ['TLBSIM_RETENTION_SEC', '-5', /TLBSIM_RETENTION_SEC: expected an integer 1\.\./],
    ['TLBSIM_RATE_LIMIT', 'lots', /TLBSIM_RATE_LIMIT: expected count\/seconds such as 1200\/60/],
    ['TLBSIM_LOG_FORMAT', 'xml', /TLBSIM_LOG_FORMAT: expected one of auto, pretty, json, got "xml"/],
    ['TLBSIM_SSE_STREAMS_MAX', '0', /TLBSIM_SSE_STREAMS_MAX: expected an integer 1\.\./],
  ])('%s=%s is one line naming the variable and its limit', (name, value, message) => {
    const errors = environmentErrors({ [name]: value }, 'serve');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(message);
    expect(errors[0].message).not.toContain('\n');
    expect(() => envText({ [name]: value }, name)).toThrow(EnvironmentError);
  });

  it("checks only the variables a process reads: the worker ignores the coordinator's", () => {
    expect(environmentErrors({ TLBSIM_MAX_BODY_BYTES: 'abc' }, 'worker')).toEqual([]);
    expect(environmentErrors({ TLBSIM_WORKER_CONCURRENCY: '0' }, 'worker')).toHaveLength(1);
  });

  it('declares every name once, with a default and range where its kind needs them', () => {
    const names = ENVIRONMENT_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of ENVIRONMENT_VARIABLES) {
      if (v.kind === 'integer') expect(envInteger({}, v.name)).toBeGreaterThanOrEqual(v.min!);
      if (v.kind === 'choice') expect(v.choices).toContain(v.defaultValue);
    }
  });
});
