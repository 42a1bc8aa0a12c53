/** The coordinator's HTTP API as the dashboard uses it. */
import type {
  JobEvent,
  JobPage,
  JobView,
  WorkerInfo,
  FieldError,
  ScenarioFieldHint,
  SweepRow,
  SweepSummaryRow,
  SweepView,
} from '@tlbsim/contracts';
import type {
  ClassVerdict,
  CompareFigures,
  ComparisonEstimates,
  ParamSensitivity,
  RunReport,
  SensitivityRun,
} from '@tlbsim/engine';

export type {
  ClassVerdict,
  ComparisonEstimates,
  ParamSensitivity,
  SensitivityRun,
  JobEvent,
  JobPage,
  JobView,
  WorkerInfo,
  FieldError,
  RunReport,
  SweepRow,
  SweepSummaryRow,
  SweepView,
};

/** A shipped scenario (GET /api/scenarios). */
export interface ScenarioInfo {
  id: string;
  file: string;
  description: string;
  raw: Record<string, unknown>;
  resolved: Record<string, Record<string, unknown> | string | number> | null;
  /** Guest accesses a run of it can make (what the size limits count); null if it does not validate. Absent from older coordinators. */
  accessesTotal?: number | null;
}

/** Field metadata (GET /api/scenarios/fields). */
export interface ScenarioFields {
  limits: Record<string, { min: number; max: number; integer: boolean }>;
  enums: Record<string, string[]>;
  /** Each field's declared unit and meaning (absent from older coordinators). */
  hints?: Record<string, ScenarioFieldHint>;
}

/**
 * A compare (GET /api/compare/:id): a group of jobs in the order of the
 * policies given (the first is the baseline), or a compare job of points
 * (every policy on every replication seed, `jobs` empty), and the figures
 * of `tlbsim compare` the coordinator computes (partial: a coordinator that
 * sends none shows "–"; older ones send no intervals).
 */
export interface CompareView extends Partial<CompareFigures> {
  groupId: string;
  jobs: JobView[];
  /** The first replication's report of each policy. */
  results: (RunReport | null)[];
  kind?: 'jobs' | 'points';
  policies?: string[];
  replications?: number;
  seeds?: number[];
  points?: { state: string; done: number; total: number; error: string | null };
  /** Once every run finished: means, 95% intervals and convergence (`tlbsim compare --json` `estimates`). */
  estimates?: ComparisonEstimates | null;
}

/** A non-2xx answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string | string[]; details?: FieldError[] },
  ) {
    super(Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? `HTTP ${status}`));
  }
}

const TOKEN_KEY = 'tlbsim.apiToken';

/** The API token typed in the header (kept in localStorage). */
export function token(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

/** Stores the API token. */
export function setToken(value: string): void {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The Authorization header of every API call and stream, when a token is set (never in a URL). */
export function authHeaders(): Record<string, string> {
  return token() ? { Authorization: `Bearer ${token()}` } : {};
}

/** Calls the API; throws {@link ApiError} on non-2xx. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, (data ?? {}) as ApiError['body']);
  return data as T;
}
