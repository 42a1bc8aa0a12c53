/**
 * Who may call what, decided per route (issue 22): the coordinator over a
 * real Redis, with both tokens set. Every route the application registers is
 * read off Express's router (Nest's controllers, SwaggerModule's routes and
 * the mounts), not from a list written here, and called in lower, upper and
 * mixed case with no token, a wrong one and the right one. A route that
 * answers without the token must be on the reviewed public list (docs/api.md,
 * "Public routes"), so a new route nobody decided about fails this test
 * unless it is protected, which it is by default.
 */
import { gzipSync } from 'zlib';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DASHBOARD_FILES, OPENAPI_ROUTES } from '@tlbsim/coordinator';
import { RedisConnectionMonitor } from '@tlbsim/jobs';
import { CoordinatorStack, startStack } from './support/coordinator.fixture';

jest.setTimeout(120000);

const API_TOKEN = 'api-s3cret';
const METRICS_TOKEN = 'metrics-s3cret';

/** The reviewed public routes: liveness probes carry no token. Static dashboard files are checked apart. */
const PUBLIC_ROUTES = ['GET /health'];
/** Routes behind the metrics token instead of the API token. */
const METRICS_ROUTES = ['GET /metrics'];

let stack: CoordinatorStack;
let base: string;

beforeAll(async () => {
  RedisConnectionMonitor.log = () => undefined;
  stack = await startStack({
    workers: 0,
    listen: true,
    options: { apiToken: API_TOKEN, metricsToken: METRICS_TOKEN, prefix: 'auth' },
  });
  base = (await stack.app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => stack?.stop());

interface Route {
  method: string;
  path: string;
}

interface Layer {
  name?: string;
  rawPath?: string | string[];
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route and mount of the app's Express router; Nest's middleware (routes for all 35 methods) left out. */
function registeredRoutes(app: NestExpressApplication): Route[] {
  const stackOf = (app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router.stack;
  const routes: Route[] = [];
  for (const layer of stackOf) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods);
      if (methods.length > 10) continue; // app-wide middleware Nest registers as a route (request logging)
      for (const method of methods) routes.push({ method: method.toUpperCase(), path: layer.route.path });
    } else {
      // A mount (the queue admin UI, the OpenAPI docs); `/` is app-wide middleware and the dashboard's files.
      const paths = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath ?? '/'];
      for (const path of paths) if (path !== '/') routes.push({ method: 'GET', path });
    }
  }
  return routes.filter((r, i) => routes.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}

/** A concrete path for a route pattern: parameters filled with an id nobody has. */
function concrete(path: string): string {
  return path.replace(/:[A-Za-z]+/g, 'no-such-id').replace(/\{\*[A-Za-z]+\}/g, 'x');
}

/** The path in three cases: as registered, upper, and mixed (every other letter upper). */
function casings(path: string): { label: string; path: string }[] {
  let i = 0;
  const mixed = path.replace(/[a-z]/g, (c) => (i++ % 2 === 0 ? c.toUpperCase() : c));
  return [
    { label: 'lower', path },
    { label: 'upper', path: path.toUpperCase() },
    { label: 'mixed', path: mixed },
  ];
}

/** The status of one request; the body is not read (event streams would not end). */
async function statusOf(method: string, path: string, token: string | undefined): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(15000) });
  await res.body?.cancel();
  return res.status;
}

const key = (r: Route) => `${r.method} ${r.path}`;

describe('every registered route, in every case, with and without the token', () => {
  it('finds the routes of every controller, the docs and the queue admin', () => {
    const keys = registeredRoutes(stack.app).map(key);
    for (const expected of [
      'POST /api/jobs',
      'DELETE /api/jobs/:id',
      'POST /api/jobs/:id/resize',
      'GET /api/live',
      'GET /api/workers',
      'POST /api/compare',
      'POST /api/sweeps',
      'POST /api/hunts',
      'POST /api/shrinks',
      'GET /api/jobs/:id/events',
      'GET /queues',
      ...OPENAPI_ROUTES.map((p) => `GET ${p}`),
      ...PUBLIC_ROUTES,
      ...METRICS_ROUTES,
    ])
      expect(keys).toContain(expected);
  });

  it('public routes take no body (the token is checked before any body is read)', () => {
    for (const route of PUBLIC_ROUTES) expect(route).toMatch(/^GET /);
  });

  it('answers 401 without the right token on every protected route, in any case; routes only their own case', async () => {
    const failures: string[] = [];
    const expectStatus = (what: string, got: number, ok: (s: number) => boolean, want: string) => {
      if (!ok(got)) failures.push(`${what}: ${got}, want ${want}`);
    };
    for (const route of registeredRoutes(stack.app)) {
      const isPublic = PUBLIC_ROUTES.includes(key(route));
      const right = METRICS_ROUTES.includes(key(route)) ? METRICS_TOKEN : API_TOKEN;
      for (const { label, path } of casings(concrete(route.path))) {
        const what = `${route.method} ${path} (${label})`;
        const exact = label === 'lower';
        // In its own case, any token but the route's is refused; in another case, any token but the API token
        // (a path nothing serves is a 404 only for an API caller).
        const wrong = exact ? (right === API_TOKEN ? METRICS_TOKEN : API_TOKEN) : METRICS_TOKEN;
        for (const token of [undefined, 'wrong-token', wrong]) {
          const got = await statusOf(route.method, path, token);
          if (exact && isPublic) expectStatus(`${what}, token ${token}`, got, (s) => s !== 401, 'not 401');
          else expectStatus(`${what}, token ${token}`, got, (s) => s === 401, '401');
        }
        const got = await statusOf(route.method, path, exact ? right : API_TOKEN);
        if (exact) expectStatus(`${what} with its token`, got, (s) => s !== 401, 'not 401');
        else expectStatus(`${what} with the API token`, got, (s) => s === 404, '404 (routing is case-sensitive)');
      }
    }
    expect(failures).toEqual([]);
  });

  it('serves the dashboard shell without a token, and answers 401 for a path nothing serves', async () => {
    for (const file of ['/', ...DASHBOARD_FILES.map((f) => `/${f}`)])
      expect(await statusOf('GET', file, undefined)).toBe(200);
    expect(await statusOf('GET', '/api/no-such-route', undefined)).toBe(401);
    expect(await statusOf('GET', '/no-such-page', undefined)).toBe(401);
    expect(await statusOf('GET', '/api/no-such-route', API_TOKEN)).toBe(404);
  });
});

describe('the token before the body', () => {
  const deepJson = `{"scenario":{"name":"deep","x":${'['.repeat(20000)}${']'.repeat(20000)}}}`;

  it('a wrong token with a 20,000-deep JSON body is 401, not a validation 400', async () => {
    const res = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      body: deepJson,
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toMatch(/nest|depth|details/i);
  });

  it('no token with a gzip body is 401 before it is decoded', async () => {
    const res = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from('not json at all')),
    });
    expect(res.status).toBe(401);
  });

  it('the right token with the same deep body reaches the parser (400 naming the depth limit)', async () => {
    const res = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: deepJson,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/deeper than 32 levels/);
  });
});
