/**
 * Parsing of the CLI's own numeric and enumerated flags (those that are not
 * scenario keys), with one wording for every bad value: the flag, what it
 * expects (the limit) and what it got, on one line.
 */

/** A bad flag value: the command prints the message and exits 2. */
export class CliOptionError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliOptionError';
  }
}

/**
 * `value` as an integer in `min..max` (decimal digits only, so `1e3`, `0x10`
 * and `3.5` are refused).
 * @throws CliOptionError naming the flag and the range
 */
export function integerOption(flag: string, value: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new CliOptionError(flag, `${flag}: expected an integer ${min}..${max}, got ${value}`);
  return n;
}

/**
 * `value` if it is one of `allowed`.
 * @throws CliOptionError naming the flag and listing the allowed values
 */
export function choiceOption<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new CliOptionError(flag, `${flag}: expected one of ${allowed.join(', ')}, got ${value}`);
  return value as T;
}
