import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, throwError, timeout } from 'rxjs';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { isLongLived } from './long-lived.decorator';
import { StoreUnavailableError } from './store-unavailable.error';

/**
 * Every API request has a deadline: one Redis does not answer in time
 * (frozen, or lost mid-request) gets 503 with `Retry-After` instead of
 * hanging. Streams ({@link LongLived}) are exempt.
 */
@Injectable()
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Applies the deadline to the handler's result. */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || isLongLived(context)) return next.handle();
    const ms = this.options.requestDeadlineMs;
    return next.handle().pipe(
      timeout({
        first: ms,
        with: () =>
          throwError(() => new StoreUnavailableError(`Redis did not answer within ${ms} ms: try again later`)),
      }),
    );
  }
}
