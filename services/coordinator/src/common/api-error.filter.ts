import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ScenarioInputError } from '@tlbsim/contracts';
import { JobLimitError, JobNotActiveError, ResizeInputError } from '@tlbsim/jobs';
import type { Request, Response } from 'express';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';
import { authorizationMatches, missingToken } from './api-token.guard';
import { StoreUnavailableError } from './store-unavailable.error';

/**
 * Turns every error into a JSON body `{ statusCode, error, message, details? }`:
 * a {@link ScenarioInputError} is a 400 listing every bad field, a
 * `ResizeInputError` a 400 naming `shards`, a `JobNotActiveError` (resize
 * of a finished job) a 409, a `JobLimitError` (too many jobs waiting) a 429, a `StoreUnavailableError`
 * (Redis unreachable or too slow) a 503 with `Retry-After`, an
 * `HttpException` keeps its status, anything else is a 500 without internals.
 * A 404 for a caller without the API token (when one is set) is a 401: a
 * path no route serves (Nest's not-found handler runs no guard) must not
 * tell an anonymous caller which paths exist.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiErrorFilter.name);

  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Writes the error response (unless the response has started, e.g. an SSE stream). */
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    if (exception instanceof StoreUnavailableError) res.set('Retry-After', String(exception.retryAfterSec));
    const { status, body } = this.describe(this.unauthorizedFirst(exception, host.switchToHttp().getRequest()));
    if (status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(status).json(body);
  }

  /** `exception`, or the 401 a caller without the API token gets instead of a 404. */
  private unauthorizedFirst(exception: unknown, req: Request): unknown {
    const token = this.options.apiToken;
    if (!(exception instanceof NotFoundException) || !token) return exception;
    return authorizationMatches(req.headers.authorization, token) ? exception : missingToken('TLBSIM_API_TOKEN');
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof ScenarioInputError) {
      return {
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'invalid scenario', details: exception.errors },
      };
    }
    if (exception instanceof StoreUnavailableError) {
      return { status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: exception.message } };
    }
    if (exception instanceof ResizeInputError) {
      return {
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'invalid request', details: [exception.error] },
      };
    }
    if (exception instanceof JobNotActiveError) {
      return { status: 409, body: { statusCode: 409, error: 'Conflict', message: exception.message } };
    }
    if (exception instanceof JobLimitError) {
      return { status: 429, body: { statusCode: 429, error: 'Too Many Requests', message: exception.message } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const body =
        typeof raw === 'string' ? { statusCode: status, message: raw } : { statusCode: status, ...(raw as object) };
      return { status, body };
    }
    const status =
      typeof (exception as { status?: unknown })?.status === 'number' ? (exception as { status: number }).status : 500;
    if (status === 413)
      return { status, body: { statusCode: 413, error: 'Payload Too Large', message: 'request body too large' } };
    return { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } };
  }
}
