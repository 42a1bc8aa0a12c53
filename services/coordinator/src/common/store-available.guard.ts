import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { JobsPort } from '../jobs/jobs.port';
import { StoreUnavailableError } from './store-unavailable.error';

/** API paths that need the job store (the OpenAPI docs do not). */
const STORE_PATHS = /^\/api\/(?!docs)/;

/**
 * While this process finds Redis unreachable, API requests get 503 with
 * `Retry-After` at once, instead of waiting for Redis (their commands would
 * queue and run whenever it returns, long after the client gave up).
 */
@Injectable()
export class StoreAvailableGuard implements CanActivate {
  constructor(private readonly port: JobsPort) {}

  /** Refuses API requests while Redis is unreachable. */
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!STORE_PATHS.test(req.path) || this.port.reachable()) return true;
    throw new StoreUnavailableError('Redis is unreachable: try again later');
  }
}
