import { type FieldError, NESTING_DEPTH_MAX } from '@tlbsim/contracts';

/**
 * Deepest nesting of objects and arrays a request body may have: the
 * scenario texts' bound, {@link NESTING_DEPTH_MAX}, the one home of that rule.
 * @defaultValue 32
 */
export const BODY_DEPTH_MAX = NESTING_DEPTH_MAX;

/** Keys refused anywhere in a body: they would reach (or pollute) prototypes instead of being validated. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * The first structural problem of a parsed request body, checked before any
 * validation: nesting deeper than {@link BODY_DEPTH_MAX}, or a key of
 * {@link FORBIDDEN_KEYS}. Iterative, so a hostile depth cannot overflow the
 * stack here either. Returns null for a sound body.
 */
export function bodyShapeError(body: unknown): FieldError | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= BODY_DEPTH_MAX) {
      return {
        path,
        value: undefined,
        constraint: 'maxDepth',
        limit: BODY_DEPTH_MAX,
        message: `request body nested deeper than ${BODY_DEPTH_MAX} levels (at ${path || 'the top'})`,
      };
    }
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.includes(key)) {
        return {
          path: child,
          value: undefined,
          constraint: 'forbiddenKey',
          message: `${child}: the key ${key} is not allowed`,
        };
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: child, depth: depth + 1 });
    }
  }
  return null;
}
