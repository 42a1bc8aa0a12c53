import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { parseScenarioText } from '@tlbsim/contracts';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { bodyShapeError } from './body-shape.checker';
import { badRequest } from './validation.pipe';

/** Content types read as a YAML scenario. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** True if the request body is a YAML scenario. */
export function isYamlRequest(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return YAML_TYPES.includes(type);
}

/** The query parameters as body fields: `set` (repeatable) becomes `overrides`. */
function queryFields(query: Request['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'set') out.overrides = Array.isArray(value) ? value : [value];
    else out[key] = value;
  }
  return out;
}

/**
 * A YAML body (`Content-Type: application/yaml`) is parsed into
 * `{ scenario, ...query }` before the global ValidationPipe sees it, so a
 * YAML submission is validated exactly as a JSON one. A YAML syntax error is
 * a 400 with constraint `parse`; nesting or keys refused by
 * {@link bodyShapeError} a 400 too.
 */
@Injectable()
export class YamlBodyInterceptor implements NestInterceptor {
  /** Rewrites `req.body` of YAML requests. */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (isYamlRequest(req)) {
      const text = typeof req.body === 'string' ? req.body : '';
      req.body = { ...queryFields(req.query), scenario: parseScenarioText(text, 'yaml') };
      const problem = bodyShapeError(req.body);
      if (problem) throw badRequest(problem.message, [problem]);
    }
    return next.handle();
  }
}
