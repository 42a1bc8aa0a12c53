/**
 * A kernel invariant did not hold. Never caught inside the kernel: a run
 * that breaks an invariant must stop, since nothing after it can be trusted.
 */
export class KernelAssertionError extends Error {
  constructor(what: string) {
    super(`kernel invariant: ${what}`);
    this.name = 'KernelAssertionError';
  }
}
