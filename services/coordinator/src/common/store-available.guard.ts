import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JobsPort } from '../jobs/jobs.port';
import { routeAccessOf } from './route-access.decorator';
import { StoreUnavailableError } from './store-unavailable.error';

/**
 * While this process finds Redis unreachable, API routes get 503 with
 * `Retry-After` at once, instead of waiting for Redis (their commands would
 * queue and run whenever it returns, long after the client gave up). Which
 * routes are API routes is the route's own mark ({@link routeAccessOf}):
 * `/health` and `/metrics` report Redis's state themselves.
 */
@Injectable()
export class StoreAvailableGuard implements CanActivate {
  constructor(
    private readonly port: JobsPort,
    private readonly reflector: Reflector,
  ) {}

  /** Refuses API requests while Redis is unreachable. */
  canActivate(context: ExecutionContext): boolean {
    if (routeAccessOf(this.reflector, context) !== 'api' || this.port.reachable()) return true;
    throw new StoreUnavailableError('Redis is unreachable: try again later');
  }
}
