import type { FieldError } from './field-error.type';

/**
 * Thrown when a scenario (file, text, object or override) is not acceptable.
 * Carries every {@link FieldError} found, not only the first.
 */
export class ScenarioInputError extends Error {
  /** The problems, in input order. */
  readonly errors: readonly FieldError[];

  /**
   * @param errors - at least one problem
   */
  constructor(errors: readonly FieldError[]) {
    super(ScenarioInputError.summarize(errors));
    this.name = 'ScenarioInputError';
    this.errors = errors;
  }

  /** One message per line, as printed by the CLI. */
  private static summarize(errors: readonly FieldError[]): string {
    if (errors.length === 0) return 'invalid scenario';
    return errors.map((e) => e.message).join('\n');
  }
}
