import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';

const SUBMISSION = 'tlbsim:submission';

/** Marks a handler that queues jobs: it also counts against the `submit` rate limit. */
export const Submission = (): MethodDecorator => SetMetadata(SUBMISSION, true);

/** True if the handler of `context` is marked with {@link Submission}. */
export function isSubmission(context: ExecutionContext): boolean {
  return Reflect.getMetadata(SUBMISSION, context.getHandler()) === true;
}
