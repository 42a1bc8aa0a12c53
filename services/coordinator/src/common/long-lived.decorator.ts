import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';

const LONG_LIVED = 'tlbsim:long-lived';

/** Marks a streaming handler (SSE, export): it has no request deadline, it ends when its stream does. */
export const LongLived = (): MethodDecorator => SetMetadata(LONG_LIVED, true);

/** True if the handler of `context` is marked with {@link LongLived}. */
export function isLongLived(context: ExecutionContext): boolean {
  return Reflect.getMetadata(LONG_LIVED, context.getHandler()) === true;
}
