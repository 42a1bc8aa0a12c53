import { resolve } from 'path';
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
  /** `json` (lines for collectors) or `pretty` (pino-pretty, for a terminal). @defaultValue `$TLBSIM_LOG_FORMAT` or `json` */
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

/** Parses `"count/seconds"` (e.g. `120/60`) into a {@link RateLimit}. */
export function parseRateLimit(text: string | undefined, fallback: RateLimit): RateLimit {
  if (!text) return fallback;
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+(?:\.\d+)?)\s*s?)?\s*$/.exec(text);
  if (!m) throw new Error(`invalid rate limit ${JSON.stringify(text)}: expected count/seconds, e.g. 120/60`);
  return { limit: Number(m[1]), ttlMs: m[2] ? Math.round(Number(m[2]) * 1000) : fallback.ttlMs };
}

/**
 * Options with defaults, overridden by the environment (`TLBSIM_API_TOKEN`, `TLBSIM_METRICS_TOKEN`,
 * `TLBSIM_RATE_LIMIT`, `TLBSIM_SUBMIT_RATE_LIMIT`, `TLBSIM_MAX_BODY_BYTES`,
 * `TLBSIM_CORS_ORIGINS`, `TLBSIM_LOG_LEVEL`, `TLBSIM_SSE_STREAMS_PER_CLIENT`, `TLBSIM_SSE_STREAMS_MAX`, `TLBSIM_PREFIX`, `TLBSIM_SCENARIOS_DIR`,
 * `TLBSIM_REDIS_URL` or `REDIS_URL`, or `REDIS_CLUSTER_NODES` for a Redis Cluster), then by `given`.
 */
export function resolveOptions(
  given: Partial<CoordinatorOptions> = {},
  env: NodeJS.ProcessEnv = process.env,
): CoordinatorOptions {
  const defaults: CoordinatorOptions = {
    // Read only when not given (serve passes its own), so a conflict in the environment it overrides does not stop it.
    redisUrl: given.redisUrl ?? redisTargetOf({}, env) ?? DEFAULT_REDIS_URL,
    prefix: env.TLBSIM_PREFIX || undefined,
    apiToken: env.TLBSIM_API_TOKEN || undefined,
    metricsToken: env.TLBSIM_METRICS_TOKEN || undefined,
    rateLimit: parseRateLimit(env.TLBSIM_RATE_LIMIT, { limit: 1200, ttlMs: 60_000 }),
    submitRateLimit: parseRateLimit(env.TLBSIM_SUBMIT_RATE_LIMIT, { limit: 120, ttlMs: 60_000 }),
    maxBodyBytes: Number(env.TLBSIM_MAX_BODY_BYTES || 256 * 1024),
    corsOrigins: (env.TLBSIM_CORS_ORIGINS || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: env.TLBSIM_LOG_LEVEL || 'info',
    logFormat: env.TLBSIM_LOG_FORMAT === 'pretty' ? 'pretty' : 'json',
    scenariosDir: env.TLBSIM_SCENARIOS_DIR || defaultPath('scenarios'),
    dashboardDir: defaultPath('services/coordinator/dist/dashboard'),
    sseBlockMs: 2000,
    ssePollMs: 250,
    sseStreamsPerClientMax: positiveOr(env.TLBSIM_SSE_STREAMS_PER_CLIENT, 16),
    sseStreamsMax: positiveOr(env.TLBSIM_SSE_STREAMS_MAX, 512),
    livePeriodMs: 1000,
    requestDeadlineMs: 10_000,
    probeDeadlineMs: 1500,
  };
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaults, ...defined };
}

/** A positive integer from the environment, else `fallback`. */
function positiveOr(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** A path relative to the repository root (this file is in `services/coordinator/{src,dist}`). */
function defaultPath(relative: string): string {
  return resolve(__dirname, '..', '..', '..', relative);
}
