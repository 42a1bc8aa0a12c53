import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, flattenValidationErrors } from '@tlbsim/contracts';

/** Flattens class-validator errors into {@link FieldError}s with dotted paths. */
export function toFieldErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return flattenValidationErrors(errors, prefix).flatMap(({ path, value, constraints }) =>
    Object.entries(constraints).map(([constraint, message]) => {
      const unknownKey = constraint === 'whitelistValidation';
      // An unknown key's value is not echoed: it may be a secret sent by mistake (`?token=...`).
      return { path, value: unknownKey ? undefined : value, constraint: unknownKey ? 'unknownKey' : constraint, message: `${path}: ${message}` };
    }));
}

/** The body of every 400: `details` lists each bad field with its dotted path and broken constraint. */
export function badRequest(message: string, details: readonly FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, details });
}

/**
 * The global pipe of the request DTOs: unknown keys rejected
 * (whitelist + forbidNonWhitelisted), values transformed to their declared
 * types, every problem reported in `details`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => badRequest('invalid request', toFieldErrors(errors)),
  });
}
