/**
 * The one walk over class-validator's error tree, shared by scenario
 * validation (scenario.validator.ts, with the limits table's messages) and
 * the coordinator's request validation pipe (with class-validator's own).
 */

/** The part of class-validator's `ValidationError` the walk reads (Nest re-declares the same shape). */
export interface ValidationErrorNode {
  property: string;
  value?: unknown;
  constraints?: Record<string, string>;
  children?: ValidationErrorNode[];
}

/** One node of the tree with broken constraints, with its dotted path. */
export interface BrokenField {
  /** Dotted path, e.g. `fleet.hosts`. */
  path: string;
  /** Dotted path of the object holding the field (`''` at the top level). */
  parent: string;
  value: unknown;
  /** Broken constraint name -> class-validator's message. */
  constraints: Record<string, string>;
}

/** Flattens the tree depth first, parents before children, keeping only nodes with broken constraints. */
export function flattenValidationErrors(errors: readonly ValidationErrorNode[], prefix = ''): BrokenField[] {
  const out: BrokenField[] = [];
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      out.push({ path, parent: prefix, value: error.value, constraints: error.constraints });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}
