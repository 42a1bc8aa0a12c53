import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'crypto';
import type { NextFunction, Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
 * When `TLBSIM_API_TOKEN` is set, every mutating request (not GET/HEAD/OPTIONS)
 * needs `Authorization: Bearer <token>`; 401 otherwise.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Lets safe methods through; checks the token on the others. */
  canActivate(context: ExecutionContext): boolean {
    const token = this.options.apiToken;
    const req = context.switchToHttp().getRequest<Request>();
    if (!token || SAFE_METHODS.has(req.method)) return true;
    if (authorizationMatches(req.headers.authorization, token)) return true;
    throw new UnauthorizedException('missing or invalid bearer token (Authorization: Bearer <TLBSIM_API_TOKEN>)');
  }
}

/** Express middleware for mounts outside Nest (the queue admin UI): every request needs the token. */
export function tokenMiddleware(token: string | undefined): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!token || authorizationMatches(req.headers.authorization, token)) return next();
    res.status(401).set('WWW-Authenticate', 'Basic realm="tlbsim queues"').json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid bearer token' });
  };
}
