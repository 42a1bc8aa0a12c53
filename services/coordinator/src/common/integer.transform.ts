import { Transform } from 'class-transformer';

/**
 * A string of digits (a query parameter) becomes the integer it spells;
 * anything else is left as given for the validators to judge, so `true`
 * or `[2]` is refused instead of being coerced to a number as `@Type(() => Number)` would.
 */
export const IntegerFromString = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\s*-?\d{1,16}\s*$/.test(value) ? Number(value) : value,
  );
