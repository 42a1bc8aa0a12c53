/** Polling a resource until it is final: the loop the compare and sweep pages share. */

/** Options of {@link poll}. */
export interface PollOptions {
  /**
   * Delay between polls while the resource is live, ms.
   *
   * @defaultValue 1000
   */
  everyMs?: number;
  /**
   * Delay before retrying after a failed poll, ms.
   *
   * @defaultValue 3000
   */
  retryMs?: number;
}

/**
 * Calls `load`, hands the value to `show` (which answers whether to poll
 * again) and repeats every `everyMs` while it does; a failure is written
 * into `errors` and retried after `retryMs`. Nothing runs after the
 * returned stop function was called.
 */
export function poll<T>(
  load: () => Promise<T>,
  show: (value: T) => boolean,
  errors: HTMLElement,
  opts: PollOptions = {},
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const tick = async (): Promise<void> => {
    try {
      const value = await load();
      if (closed) return;
      errors.textContent = '';
      if (show(value)) timer = setTimeout(() => void tick(), opts.everyMs ?? 1000);
    } catch (e) {
      if (closed) return;
      errors.textContent = e instanceof Error ? e.message : String(e);
      timer = setTimeout(() => void tick(), opts.retryMs ?? 3000);
    }
  };
  void tick();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
  };
}
