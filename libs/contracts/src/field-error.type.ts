/**
 * One problem with a scenario input, tied to the dotted path of the field
 * (e.g. `fleet.hosts`). The same shape is printed by the CLI and returned by
 * the HTTP API.
 */
export interface FieldError {
  /** Dotted path of the field; `''` for the whole input (file or parse errors). */
  path: string;
  /** The offending value as given (after overrides). */
  value: unknown;
  /** Machine-readable name of the broken rule, e.g. `max`, `isInt`, `unknownKey`. */
  constraint: string;
  /** The bound or expected value the rule compares against, when there is one. */
  limit?: number | string;
  /** Human-readable message naming the path, the value and the limit. */
  message: string;
}
