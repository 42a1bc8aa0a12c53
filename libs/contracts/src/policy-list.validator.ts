import { POLICY_NAMES } from '@tlbsim/sim-core';
import { allowedText, constraintError } from './field-error.messages';
import type { FieldError } from './field-error.type';

/**
 * The one check of a list of policies (`compare --policies`, `sweep
 * --policies`, `POST /api/compare` in the jobs library): at least one, each a
 * known policy, each once (so the list is bounded by the number of
 * policies). Messages name the `--policies` option.
 *
 * @param policies the names, already split
 * @param text the option as given, shown when the list is empty
 * @returns one field error per unknown or repeated name (none when valid)
 */
export function policyListErrors(policies: readonly string[], text = ''): FieldError[] {
  const known: readonly string[] = POLICY_NAMES;
  if (policies.length === 0) {
    return [
      {
        path: 'kvm.policy',
        value: text,
        constraint: 'policies',
        limit: allowedText(known),
        message: `--policies: expected a comma-separated list of policies: ${allowedText(known)}`,
      },
    ];
  }
  const errors = policies.filter((p) => !known.includes(p)).map((p) => constraintError('kvm.policy', p, 'isIn'));
  for (const p of new Set(policies.filter((p, i) => policies.indexOf(p) !== i))) {
    errors.push({
      path: 'kvm.policy',
      value: p,
      constraint: 'unique',
      message: `--policies: ${p} is listed more than once`,
    });
  }
  return errors;
}
