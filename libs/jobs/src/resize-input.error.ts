import type { FieldError } from '@tlbsim/contracts';

/** A resize to a shard count the job cannot run on (HTTP 400 with the field, CLI exit 2). */
export class ResizeInputError extends Error {
  constructor(readonly error: FieldError) {
    super(error.message);
    this.name = 'ResizeInputError';
  }
}
