/**
 * Ctrl-C in the commands that run or follow work (`run`, `submit --wait`,
 * `wait`): a listener replaces Node's silent exit, so the command can say
 * what happened in one line and exit {@link EXIT.INTERRUPTED}.
 */

/** The interrupts (SIGINT) a command receives while it listens. */
export interface InterruptWatch {
  /** Resolves at the first SIGINT. */
  readonly first: Promise<void>;
  /** Resolves at the second SIGINT. */
  readonly second: Promise<void>;
  /** SIGINTs received so far. */
  count(): number;
  /** Stops listening (Node's default handling comes back). */
  off(): void;
}

/** Listens for SIGINT until {@link InterruptWatch.off}. */
export function watchInterrupts(): InterruptWatch {
  let received = 0;
  let onFirst: () => void = () => undefined;
  let onSecond: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const second = new Promise<void>((resolve) => (onSecond = resolve));
  const listener = (): void => {
    received += 1;
    if (received === 1) onFirst();
    if (received === 2) onSecond();
  };
  process.on('SIGINT', listener);
  return { first, second, count: () => received, off: () => process.off('SIGINT', listener) };
}

/** Resolves after `ms`; the timer never keeps the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
