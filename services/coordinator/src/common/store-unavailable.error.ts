/**
 * The job store (Redis) cannot serve the request now: unreachable, or no
 * answer within the request's deadline. The API answers 503 with
 * `Retry-After` ({@link retryAfterSec}).
 */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSec = STORE_RETRY_AFTER_SEC,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** Seconds a client is told to wait (`Retry-After`) while Redis is unavailable. @defaultValue 5 */
export const STORE_RETRY_AFTER_SEC = 5;
