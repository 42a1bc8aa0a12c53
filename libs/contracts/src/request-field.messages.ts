import type { FieldError } from './field-error.type';
import { allowedText, constraintError, formatValue } from './field-error.messages';
import { closestName } from './closest-name.util';

/**
 * Request fields of the HTTP API that stand for a scenario key (the CLI's
 * shorthands `--seed`, `--shards`, `--policy`, and the policies of a
 * compare): their errors are worded with that key's limits, as the CLI words them.
 */
export const REQUEST_FIELD_SCENARIO_PATHS: Readonly<Record<string, string>> = Object.freeze({
  seed: 'seed',
  shards: 'run.shards',
  policy: 'kvm.policy',
  policies: 'kvm.policy',
});

/** The first match of `re` in class-validator's message, e.g. the bound of "must not be less than 1". */
function grab(message: string, re: RegExp): string | undefined {
  return re.exec(message)?.[1];
}

/** class-validator's message without its leading field name ("shards must ..." -> "must ..."). */
function withoutPath(path: string, message: string): string {
  if (message.startsWith(`${path} `)) return message.slice(path.length + 1);
  if (message.startsWith(`each value in ${path} `))
    return `each value ${message.slice(`each value in ${path} `.length)}`;
  return message;
}

/** `path: text`, with the value and constraint kept. */
function worded(path: string, value: unknown, constraint: string, text: string, limit?: number | string): FieldError {
  const e: FieldError = { path, value, constraint, message: `${path}: ${text}` };
  if (limit !== undefined) e.limit = limit;
  return e;
}

/** One bad element of a list field checked with `isIn` (`policies`), with a "did you mean". */
function badElements(path: string, value: unknown[], allowed: string[]): FieldError[] {
  return value
    .filter((v) => typeof v !== 'string' || !allowed.includes(v))
    .map((v) => {
      const guess = typeof v === 'string' ? closestName(v, allowed) : null;
      return worded(
        path,
        v,
        'isIn',
        `${formatValue(v)} is not one of ${allowedText(allowed)}${guess ? `; did you mean ${guess}?` : ''}`,
        allowedText(allowed),
      );
    });
}

/**
 * A broken constraint of a request field (class-validator's name and
 * default message), worded as the CLI words scenario errors:
 * `shards: 0 is below the minimum 1`, `policy: "overhual" is not one of
 * ...; did you mean overhaul?`. The value of an unknown key is not echoed
 * (it may be a secret sent by mistake).
 */
export function requestFieldErrors(
  path: string,
  value: unknown,
  constraint: string,
  defaultMessage: string,
): FieldError[] {
  const scenarioPath = REQUEST_FIELD_SCENARIO_PATHS[path];
  if (constraint === 'whitelistValidation') return [worded(path, undefined, 'unknownKey', 'unknown key')];
  if (scenarioPath && !Array.isArray(value) && ['min', 'max', 'isInt', 'isIn', 'isNumber'].includes(constraint)) {
    const e = constraintError(scenarioPath, value, constraint);
    return [{ ...e, path, message: `${path}${e.message.slice(scenarioPath.length)}` }];
  }
  const shown = formatValue(value);
  switch (constraint) {
    case 'min': {
      const min = grab(defaultMessage, /less than (\S+)/);
      return [worded(path, value, constraint, `${shown} is below the minimum ${min}`, Number(min))];
    }
    case 'max': {
      const max = grab(defaultMessage, /greater than (\S+)/);
      return [worded(path, value, constraint, `${shown} exceeds the maximum ${max}`, Number(max))];
    }
    case 'isInt':
      return [worded(path, value, constraint, `${shown} is not an integer`)];
    case 'isIn': {
      const allowed = (grab(defaultMessage, /following values: (.*)$/) ?? '').split(', ').filter(Boolean);
      if (Array.isArray(value)) return badElements(path, value, allowed);
      return badElements(path, [value], allowed);
    }
    case 'isString':
      return [worded(path, value, constraint, `${shown} is not a string`)];
    case 'isObject':
      return [worded(path, value, constraint, `${shown} is not an object`)];
    case 'maxLength': {
      const max = grab(defaultMessage, /equal to (\d+)/);
      return [worded(path, value, constraint, `${shown} is longer than the maximum ${max} characters`, Number(max))];
    }
    default:
      return [worded(path, value, constraint, withoutPath(path, defaultMessage))];
  }
}
