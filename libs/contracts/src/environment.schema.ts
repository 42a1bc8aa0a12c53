import type { FieldError } from './field-error.type';

/** The tlbsim processes that read the environment. */
export type EnvProcess = 'serve' | 'worker' | 'cli';

/** How a variable's text is read. */
export type EnvKind = 'text' | 'secret' | 'integer' | 'rate' | 'list' | 'choice';

/**
 * One environment variable, declared once: every process reads it through
 * this declaration ({@link envInteger}, {@link envRate}, ...), the processes
 * check it at start ({@link environmentErrors}: a bad value is one line and
 * exit 2) and docs/environment.md's table is made from it ({@link environmentTable}).
 */
export interface EnvVariable {
  name: string;
  /** The processes that read it. */
  processes: readonly EnvProcess[];
  kind: EnvKind;
  /** What an unset (or empty) variable means, as written in the docs. */
  defaultText: string;
  /** `integer`: the default value; `rate`: the default `count/seconds`; `choice`: the default choice. */
  defaultValue?: string;
  /** `integer`: the inclusive range. */
  min?: number;
  max?: number;
  /** `choice`: the accepted values. */
  choices?: readonly string[];
  description: string;
}

const ALL: readonly EnvProcess[] = ['serve', 'worker', 'cli'];

/** Every environment variable tlbsim reads, in the order of docs/environment.md. */
export const ENVIRONMENT_VARIABLES: readonly EnvVariable[] = Object.freeze([
  {
    name: 'TLBSIM_REDIS_URL',
    processes: ALL,
    kind: 'text',
    defaultText: 'unset',
    description:
      'Redis of the job store (`redis://` or `rediss://`) when `--redis` is not given; `serve` without one starts a private redis-server',
  },
  {
    name: 'REDIS_URL',
    processes: ALL,
    kind: 'text',
    defaultText: 'unset',
    description: 'the same, read when `TLBSIM_REDIS_URL` is unset',
  },
  {
    name: 'REDIS_CLUSTER_NODES',
    processes: ALL,
    kind: 'text',
    defaultText: 'unset',
    description:
      '`host:port[,host:port...]`: a Redis Cluster instead (`--redis-cluster`); giving it and a Redis URL is exit 2',
  },
  {
    name: 'TLBSIM_PREFIX',
    processes: ALL,
    kind: 'text',
    defaultText: '`tlbsim`',
    description: "key prefix of tlbsim's data in Redis (`--prefix`)",
  },
  {
    name: 'TLBSIM_RETENTION_SEC',
    processes: ALL,
    kind: 'integer',
    defaultText: '3600',
    defaultValue: '3600',
    min: 1,
    max: 10 * 365 * 86_400,
    description:
      "seconds a finished job's events, metadata and compare-group index are kept (`--retention-sec`); a job keeps the retention of the process that submitted it",
  },
  {
    name: 'TLBSIM_QUEUE_HISTORY',
    processes: ALL,
    kind: 'integer',
    defaultText: '100',
    defaultValue: '100',
    min: 0,
    max: 100_000,
    description:
      'finished shard jobs the BullMQ queue keeps, completed and failed each (failed ones also no longer than the retention), so `/queues` shows recent history; 0 keeps none',
  },
  {
    name: 'TLBSIM_API_TOKEN',
    processes: ['serve'],
    kind: 'secret',
    defaultText: 'unset (open API)',
    description:
      'bearer token of every route but the public ones (docs/api.md, "Public routes"): `/api`, the OpenAPI docs, `/queues`',
  },
  {
    name: 'TLBSIM_METRICS_TOKEN',
    processes: ['serve'],
    kind: 'secret',
    defaultText: 'unset (open)',
    description: "bearer token of `/metrics` (a scraper's `bearer_token`)",
  },
  {
    name: 'TLBSIM_RATE_LIMIT',
    processes: ['serve'],
    kind: 'rate',
    defaultText: '`1200/60`',
    defaultValue: '1200/60',
    description: 'requests per client IP per seconds, all of `/api` (SSE, `/health`, `/metrics` exempt)',
  },
  {
    name: 'TLBSIM_SUBMIT_RATE_LIMIT',
    processes: ['serve'],
    kind: 'rate',
    defaultText: '`120/60`',
    defaultValue: '120/60',
    description: 'submissions (`POST /api/jobs`, `/api/compare`, `/api/sweeps`, ...) per client IP; over it: 429',
  },
  {
    name: 'TLBSIM_MAX_BODY_BYTES',
    processes: ['serve'],
    kind: 'integer',
    defaultText: '262144',
    defaultValue: '262144',
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'largest request body; larger: 413',
  },
  {
    name: 'TLBSIM_CORS_ORIGINS',
    processes: ['serve'],
    kind: 'list',
    defaultText: 'empty (CORS off)',
    description: 'comma-separated origins allowed by CORS',
  },
  {
    name: 'TLBSIM_LOG_LEVEL',
    processes: ['serve'],
    kind: 'choice',
    defaultText: '`info`',
    defaultValue: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino level of the logs; request lines are at `debug` (client errors `warn`, server errors `error`)',
  },
  {
    name: 'TLBSIM_LOG_FORMAT',
    processes: ['serve'],
    kind: 'choice',
    defaultText: '`auto`',
    defaultValue: 'auto',
    choices: ['auto', 'pretty', 'json'],
    description:
      '`pretty` (pino-pretty text), `json` lines, or `auto`: pretty when standard output is a terminal (`--log-format`)',
  },
  {
    name: 'TLBSIM_SCENARIOS_DIR',
    processes: ['serve'],
    kind: 'text',
    defaultText: "the repository's `scenarios/`",
    description: 'directory of the scenarios `/api/scenarios` lists and `scenarioName` submits',
  },
  {
    name: 'TLBSIM_SSE_STREAMS_PER_CLIENT',
    processes: ['serve'],
    kind: 'integer',
    defaultText: '16',
    defaultValue: '16',
    min: 1,
    max: 10_000,
    description: 'open SSE streams (job events and `/api/live`) per client address; more: 429',
  },
  {
    name: 'TLBSIM_SSE_STREAMS_MAX',
    processes: ['serve'],
    kind: 'integer',
    defaultText: '512',
    defaultValue: '512',
    min: 1,
    max: 100_000,
    description: 'open SSE streams in total; more: 429',
  },
  {
    name: 'TLBSIM_WORKER_CONCURRENCY',
    processes: ['serve', 'worker'],
    kind: 'integer',
    defaultText: '1',
    defaultValue: '1',
    min: 1,
    max: 1024,
    description: 'shards a worker runs at once (`worker --concurrency`, `serve --worker-concurrency`)',
  },
  {
    name: 'TLBSIM_KERNEL_CHECKS',
    processes: ALL,
    kind: 'choice',
    defaultText: '`0`',
    defaultValue: '0',
    choices: ['0', '1'],
    description: "`1`: the kernel's per-message debug checks on (slower; `npm test` sets it)",
  },
] satisfies EnvVariable[]);

/** The environment as processes see it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The declaration of `name`. @throws Error for a name nobody declared (a programming error) */
export function envVariable(name: string): EnvVariable {
  const found = ENVIRONMENT_VARIABLES.find((v) => v.name === name);
  if (!found) throw new Error(`environment variable ${name} is not declared in environment.schema.ts`);
  return found;
}

/** The set text of `name`, or undefined when unset or empty (an empty variable counts as unset). */
function raw(env: Environment, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/** The problem with `text` as a value of `v`, or null. */
function problemOf(v: EnvVariable, text: string): string | null {
  switch (v.kind) {
    case 'integer': {
      const n = Number(text);
      return /^\d+$/.test(text) && n >= v.min! && n <= v.max!
        ? null
        : `expected an integer ${v.min}..${v.max}, got ${JSON.stringify(text)}`;
    }
    case 'rate':
      return rateOf(text) ? null : `expected count/seconds such as ${v.defaultValue}, got ${JSON.stringify(text)}`;
    case 'choice':
      return v.choices!.includes(text) ? null : `expected one of ${v.choices!.join(', ')}, got ${JSON.stringify(text)}`;
    default:
      return null;
  }
}

/** `count/seconds` (e.g. `120/60`; `120` alone is per 60 s) as a budget, or null. */
function rateOf(text: string): { limit: number; ttlMs: number } | null {
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+(?:\.\d+)?)\s*s?)?\s*$/.exec(text);
  if (!m) return null;
  const ttlMs = m[2] ? Math.round(Number(m[2]) * 1000) : 60_000;
  return Number(m[1]) >= 1 && ttlMs >= 1 ? { limit: Number(m[1]), ttlMs } : null;
}

/** Thrown by the readers for a bad value: its message is the one line a process prints before exit 2. */
export class EnvironmentError extends Error {
  constructor(readonly error: FieldError) {
    super(error.message);
    this.name = 'EnvironmentError';
  }
}

/** The problem with `name`'s value as a {@link FieldError} (path: the variable), or null. */
function errorOf(env: Environment, v: EnvVariable): FieldError | null {
  const text = raw(env, v.name);
  const problem = text === undefined ? null : problemOf(v, text);
  if (!problem) return null;
  return { path: v.name, value: text, constraint: v.kind, limit: v.max, message: `${v.name}: ${problem}` };
}

/** Every bad value among the variables `process` reads, one {@link FieldError} each (the message is one line). */
export function environmentErrors(env: Environment, process: EnvProcess): FieldError[] {
  return ENVIRONMENT_VARIABLES.filter((v) => v.processes.includes(process))
    .map((v) => errorOf(env, v))
    .filter((e): e is FieldError => e !== null);
}

/** The checked text of `name` (or its default). @throws EnvironmentError for a bad value */
function checked(env: Environment, name: string): string | undefined {
  const v = envVariable(name);
  const error = errorOf(env, v);
  if (error) throw new EnvironmentError(error);
  return raw(env, name) ?? v.defaultValue;
}

/** An `integer` variable, or its default. @throws EnvironmentError */
export function envInteger(env: Environment, name: string): number {
  return Number(checked(env, name));
}

/** A `rate` variable (`count/seconds`), or its default. @throws EnvironmentError */
export function envRate(env: Environment, name: string): { limit: number; ttlMs: number } {
  return rateOf(checked(env, name)!)!;
}

/** A `text`, `secret` or `choice` variable, or its default (undefined when it has none). @throws EnvironmentError */
export function envText(env: Environment, name: string): string | undefined {
  return checked(env, name);
}

/** A `list` variable: its comma-separated items, trimmed, empty ones left out. */
export function envList(env: Environment, name: string): string[] {
  return (checked(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** docs/environment.md's table: name, processes, default, accepted values, meaning. */
export function environmentTable(): string {
  const rows = ENVIRONMENT_VARIABLES.map((v) => {
    const accepted =
      v.kind === 'integer'
        ? `${v.min}..${v.max}`
        : v.kind === 'choice'
          ? v.choices!.map((c) => `\`${c}\``).join(', ')
          : v.kind === 'rate'
            ? '`count/seconds`'
            : v.kind === 'list'
              ? 'comma-separated'
              : v.kind;
    return `| \`${v.name}\` | ${v.processes.join(', ')} | ${v.defaultText} | ${accepted} | ${v.description} |`;
  });
  return ['| variable | read by | default | accepted | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
