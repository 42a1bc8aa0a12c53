import { resolve } from 'path';
import { envInteger, envList, envRate, envText } from '@tlbsim/contracts';
import { redisTargetOf } from '@tlbsim/jobs';
import type { LogFormat } from './common/log-format';
import type { JobsPort } from './jobs/jobs.port';
import type { SweepsPort } from './sweeps/sweeps.port';

/** A request budget: at most `limit` requests per `ttlMs` per client. */
export interface RateLimit {
  limit: number;
  ttlMs: number;
}

/** Everything the coordinator can be configured with. */
export interface CoordinatorOptions {
  /** Redis the job store lives in (ignored when `jobs` is given): a `redis://` URL, or a Redis Cluster as `redis-cluster://host:port[,...]` (`redisTargetOf` of `@tlbsim/jobs`). */
  redisUrl: string;
  /** Key prefix of the job store. */
  prefix?: string;
  /** Seconds finished jobs' records are kept. @defaultValue `$TLBSIM_RETENTION_SEC` or 3600 */
  retentionSec?: number;
  /** When set, every route not marked public (docs/api.md, "Public routes") needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Budget of every request to `/api` per client IP. */
  rateLimit: RateLimit;
  /** Budget of job submissions (`POST /api/jobs`, `POST /api/compare`) per client IP. */
  submitRateLimit: RateLimit;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Origins allowed by CORS; empty (the default) disables CORS. */
  corsOrigins: string[];
  /** pino level (`silent` in tests); request lines are at `debug`. */
  logLevel: string;
  /** `json` (lines for collectors) or `pretty` (pino-pretty, for a terminal). @defaultValue `$TLBSIM_LOG_FORMAT` or `auto`: pretty on a terminal, else json */
  logFormat: LogFormat;
  /** Directory of the shipped `*.yaml` scenarios. */
  scenariosDir: string;
  /** Directory of the bundled dashboard (`index.html`, `app.js`, `app.css`). */
  dashboardDir: string;
  /** Silence after which an SSE stream gets a keep-alive comment and its job's state is checked, in ms. */
  sseBlockMs: number;
  /** Pause between two reads of a followed job's events when nothing new came, in ms. @defaultValue 250 */
  ssePollMs: number;
  /** Open SSE streams (job events and live feed) per client address at most; more get 429. @defaultValue 16 */
  sseStreamsPerClientMax: number;
  /** Open SSE streams in total at most; more get 429. @defaultValue 512 */
  sseStreamsMax: number;
  /** Period of the live jobs/workers SSE feed, in ms. */
  livePeriodMs: number;
  /** Deadline of an API request (streams excepted); past it, 503 with `Retry-After`. @defaultValue 10000 */
  requestDeadlineMs: number;
  /** Deadline of `/health`'s Redis ping and of `/metrics`' sampling of the job store. @defaultValue 1500 */
  probeDeadlineMs: number;
  /** A ready-made job store (tests); when absent the real `JobsService` is built from `redisUrl`. */
  jobs?: JobsPort;
  /** A ready-made sweep store (tests); when absent the real `SweepsService` is built from `redisUrl` (it connects on first use). */
  sweeps?: SweepsPort;
}

/** Redis when neither `--redis` nor an environment variable names one (an empty variable counts as unset). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Injection token of {@link CoordinatorOptions}. */
export const COORDINATOR_OPTIONS = Symbol('COORDINATOR_OPTIONS');

/**
 * Options with defaults, overridden by the environment (each variable read
 * through its one declaration in `ENVIRONMENT_VARIABLES` of
 * `@tlbsim/contracts`, docs/environment.md), then by `given`.
 *
 * @throws EnvironmentError naming the variable, for a value out of its declared range
 */
export function resolveOptions(
  given: Partial<CoordinatorOptions> = {},
  env: NodeJS.ProcessEnv = process.env,
): CoordinatorOptions {
  const defaults: CoordinatorOptions = {
    // Read only when not given (serve passes its own), so a conflict in the environment it overrides does not stop it.
    redisUrl: given.redisUrl ?? redisTargetOf({}, env) ?? DEFAULT_REDIS_URL,
    prefix: envText(env, 'TLBSIM_PREFIX'),
    apiToken: envText(env, 'TLBSIM_API_TOKEN'),
    metricsToken: envText(env, 'TLBSIM_METRICS_TOKEN'),
    rateLimit: envRate(env, 'TLBSIM_RATE_LIMIT'),
    submitRateLimit: envRate(env, 'TLBSIM_SUBMIT_RATE_LIMIT'),
    maxBodyBytes: envInteger(env, 'TLBSIM_MAX_BODY_BYTES'),
    corsOrigins: envList(env, 'TLBSIM_CORS_ORIGINS'),
    logLevel: envText(env, 'TLBSIM_LOG_LEVEL')!,
    logFormat: logFormatOf(envText(env, 'TLBSIM_LOG_FORMAT')!),
    scenariosDir: envText(env, 'TLBSIM_SCENARIOS_DIR') ?? defaultPath('scenarios'),
    dashboardDir: defaultPath('services/coordinator/dist/dashboard'),
    sseBlockMs: 2000,
    ssePollMs: 250,
    sseStreamsPerClientMax: envInteger(env, 'TLBSIM_SSE_STREAMS_PER_CLIENT'),
    sseStreamsMax: envInteger(env, 'TLBSIM_SSE_STREAMS_MAX'),
    livePeriodMs: 1000,
    requestDeadlineMs: 10_000,
    probeDeadlineMs: 1500,
  };
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...defined };
}

/** `TLBSIM_LOG_FORMAT` as a format: `auto` is pino-pretty when standard output is a terminal, else JSON lines. */
function logFormatOf(choice: string): LogFormat {
  if (choice === 'pretty' || choice === 'json') return choice;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/** A path relative to the repository root (this file is in `services/coordinator/{src,dist}`). */
function defaultPath(relative: string): string {
  return resolve(__dirname, '..', '..', '..', relative);
}
