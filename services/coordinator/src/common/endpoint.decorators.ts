import { applyDecorators, Get, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiErrorDto } from '../jobs/job-view.dto';
import { LongLived } from './long-lived.decorator';
import { Submission } from './submission.decorator';

/** What an endpoint returns in the OpenAPI document: a DTO class or a description of the JSON. */
export type ApiShape = { type: new (...args: never[]) => unknown } | { description: string };

/**
 * `POST` of a collection that queues work: rate-limited as a submission,
 * bearer token, 201 with `created`, 400 (`details` names each bad field),
 * 401 and 429 documented.
 */
export function SubmitEndpoint(
  summary: string,
  description: string,
  created: ApiShape,
  badRequest: string,
): MethodDecorator {
  return applyDecorators(
    Post(),
    Submission(),
    ApiBearerAuth(),
    ApiOperation({ summary, description }),
    ApiCreatedResponse(created),
    ApiBadRequestResponse({ type: ApiErrorDto, description: badRequest }),
    ApiUnauthorizedResponse({ type: ApiErrorDto }),
    ApiTooManyRequestsResponse({ type: ApiErrorDto }),
  );
}

/** `GET /:id`: the thing, or 404. */
export function GetOneEndpoint(ok: ApiShape): MethodDecorator {
  return applyDecorators(Get(':id'), ApiOkResponse(ok), ApiNotFoundResponse({ type: ApiErrorDto }));
}

/** `GET /`: a page of the collection. */
export function ListEndpoint(ok: ApiShape): MethodDecorator {
  return applyDecorators(Get(), ApiOkResponse(ok));
}

/** `GET /:id/events`: an event stream as Server-Sent Events (no rate limit, no request deadline), or 404. */
export function EventsEndpoint(summary: string, description: string): MethodDecorator {
  return applyDecorators(
    Get(':id/events'),
    SkipThrottle(),
    LongLived(),
    ApiProduces('text/event-stream'),
    ApiOperation({ summary, description }),
    ApiNotFoundResponse({ type: ApiErrorDto }),
  );
}
