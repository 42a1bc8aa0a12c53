import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'crypto';
import type { NextFunction, Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { routeAccessOf } from './route-access.decorator';

/** True if `header` (an Authorization header) carries `token` as Bearer (or as a Basic password, for browsers). */
export function authorizationMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  let given = '';
  if (scheme.toLowerCase() === 'bearer') given = value.trim();
  else if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    given = decoded.slice(decoded.indexOf(':') + 1);
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 401 every token check answers with, naming the variable whose token is wanted. */
export function missingToken(variable: string): UnauthorizedException {
  return new UnauthorizedException(`missing or invalid bearer token (Authorization: Bearer <${variable}>)`);
}

/**
 * The global guard: decides per route, from the route's own mark
 * ({@link routeAccessOf}), never from the request's path, so a path in
 * another case (which Express would route to the same handler if routing
 * were case-insensitive) meets the same rule. Every route needs the API
 * token when `TLBSIM_API_TOKEN` is set unless it is marked `@Public()` or
 * `@MetricsRoute()` (the metrics token when `TLBSIM_METRICS_TOKEN` is set).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
    private readonly reflector: Reflector,
  ) {}

  /** Checks the token the route needs, if any. */
  canActivate(context: ExecutionContext): boolean {
    const access = routeAccessOf(this.reflector, context);
    if (access === 'public') return true;
    const [token, variable] =
      access === 'metrics'
        ? [this.options.metricsToken, 'TLBSIM_METRICS_TOKEN']
        : [this.options.apiToken, 'TLBSIM_API_TOKEN'];
    const req = context.switchToHttp().getRequest<Request>();
    if (!token || authorizationMatches(req.headers.authorization, token)) return true;
    throw missingToken(variable);
  }
}

/** Express middleware for mounts outside Nest (the queue admin UI, the OpenAPI docs): every request needs the token. */
export function tokenMiddleware(token: string | undefined): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!token || authorizationMatches(req.headers.authorization, token)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="tlbsim"')
      .json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid bearer token' });
  };
}

/**
 * Express middleware that runs before the body parsers: a request that
 * carries a body (a length or a transfer encoding) needs the API token
 * before a byte of it is read, decoded or validated. No public route takes
 * a body (they are all `GET`s; test/api.auth.e2e.test.ts holds that), so
 * this refuses only what the route's guard would refuse anyway, earlier.
 */
export function tokenBeforeBodyMiddleware(
  token: string | undefined,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!token || !hasBody || authorizationMatches(req.headers.authorization, token)) return next();
    // The body is never read: close the connection after the answer rather than drain it.
    res.set('Connection', 'close');
    res.status(401).json(missingToken('TLBSIM_API_TOKEN').getResponse());
  };
}
