import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'crypto';
import type { NextFunction, Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';

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

/**
 * When `TLBSIM_API_TOKEN` is set, every `/api` request (reads, event streams
 * and the dashboard's data included) needs `Authorization: Bearer <token>`;
 * when `TLBSIM_METRICS_TOKEN` is set, `/metrics` needs that one. 401
 * otherwise. `/health` stays open (liveness probes).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Checks the token the request's path needs, if any. */
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const [token, name] =
      req.path.startsWith('/api/') || req.path === '/api'
        ? [this.options.apiToken, 'TLBSIM_API_TOKEN']
        : req.path === '/metrics'
          ? [this.options.metricsToken, 'TLBSIM_METRICS_TOKEN']
          : [undefined, ''];
    if (!token || authorizationMatches(req.headers.authorization, token)) return true;
    throw new UnauthorizedException(`missing or invalid bearer token (Authorization: Bearer <${name}>)`);
  }
}

/** Express middleware for mounts outside Nest (the queue admin UI): every request needs the token. */
export function tokenMiddleware(token: string | undefined): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!token || authorizationMatches(req.headers.authorization, token)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="tlbsim queues"')
      .json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid bearer token' });
  };
}
