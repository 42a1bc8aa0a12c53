import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, flattenValidationErrors, requestFieldErrors } from '@tlbsim/contracts';

/**
 * Flattens class-validator errors into {@link FieldError}s with dotted
 * paths, worded as the CLI words its errors (`requestFieldErrors` of
 * `@tlbsim/contracts`, the one home of that wording).
 */
export function toFieldErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return flattenValidationErrors(errors, prefix).flatMap(({ path, value, constraints }) =>
    Object.entries(constraints).flatMap(([constraint, message]) =>
      requestFieldErrors(path, value, constraint, message),
    ),
  );
}

/** The body of every 400: `details` lists each bad field with its dotted path and broken constraint. */
export function badRequest(message: string, details: readonly FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, details });
}

/** A 400 of the request DTO's own fields, before the scenario was looked at. */
class RequestFieldsException extends BadRequestException {
  constructor(readonly details: FieldError[]) {
    super({ statusCode: 400, error: 'Bad Request', message: 'invalid request', details });
  }
}

/**
 * The scenario errors of a raw submission body whose request fields in
 * `badPaths` were refused (those are left out), so one 400 lists both.
 */
export type ScenarioErrorsOf = (body: unknown, badPaths: ReadonlySet<string>) => Promise<readonly FieldError[]>;

/**
 * The global pipe of the request DTOs: unknown keys rejected
 * (whitelist + forbidNonWhitelisted), values transformed to their declared
 * types, every problem reported in `details`. For a submission (a DTO
 * that `isSubmission` accepts) with bad request fields, the scenario's own
 * errors are added to the same 400, so one pass reports everything.
 */
class OnePassValidationPipe extends ValidationPipe {
  constructor(
    private readonly scenarioErrorsOf?: ScenarioErrorsOf,
    private readonly isSubmission?: (metatype: unknown) => boolean,
  ) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => new RequestFieldsException(toFieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (
        !(error instanceof RequestFieldsException) ||
        metadata.type !== 'body' ||
        !this.scenarioErrorsOf ||
        !this.isSubmission?.(metadata.metatype)
      )
        throw error;
      const bad = new Set(error.details.map((d) => d.path.split('.')[0]));
      const more = await this.scenarioErrorsOf(value, bad).catch((): readonly FieldError[] => []);
      throw badRequest('invalid request', [...error.details, ...more]);
    }
  }
}

/**
 * The pipe, with the scenario check of submissions when given (see
 * {@link OnePassValidationPipe}).
 */
export function createValidationPipe(
  scenarioErrorsOf?: ScenarioErrorsOf,
  isSubmission?: (metatype: unknown) => boolean,
): ValidationPipe {
  return new OnePassValidationPipe(scenarioErrorsOf, isSubmission);
}
