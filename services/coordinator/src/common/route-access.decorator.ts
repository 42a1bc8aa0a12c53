import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

const ROUTE_ACCESS = 'tlbsim:route-access';

/**
 * Who may call a route:
 * - `api`: the API token (`TLBSIM_API_TOKEN`) when one is set; every route
 *   that is not marked otherwise, so a new route is protected until someone
 *   decides it is not;
 * - `metrics`: the metrics token (`TLBSIM_METRICS_TOKEN`) when one is set;
 * - `public`: anyone (liveness probes).
 *
 * @defaultValue `'api'`
 */
export type RouteAccess = 'api' | 'metrics' | 'public';

/**
 * Marks a controller or handler as open to anyone. Reviewed list: `GET /health`
 * only (docs/api.md, "Public routes"); test/api.auth.e2e.test.ts fails when a
 * route answers without a token and is not on that list.
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(ROUTE_ACCESS, 'public' as RouteAccess);

/** Marks a controller or handler as guarded by the metrics token instead of the API token. */
export const MetricsRoute = (): ClassDecorator & MethodDecorator => SetMetadata(ROUTE_ACCESS, 'metrics' as RouteAccess);

/** The access rule of the route that `context` runs: the handler's mark, else its controller's, else `api`. */
export function routeAccessOf(reflector: Reflector, context: ExecutionContext): RouteAccess {
  return (
    reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]) ??
    'api'
  );
}
