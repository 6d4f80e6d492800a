/**
 * A small retry loop shared by the modules that talk to the network themselves (the registry
 * client). Downloads through @actions/tool-cache already retry on their own.
 */

export interface RetryOptions {
  /** Total tries, including the first one. */
  attempts: number;
  /** Pause before try number `attempt + 1` (attempt counts from 1). */
  delayMs: (attempt: number) => number;
  /** Only errors this accepts are retried; anything else is thrown at once. */
  shouldRetry: (error: unknown) => boolean;
  /** Told about each failure that will be retried (for logging). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** `base`, `2*base`, `4*base`, ... capped at `max`. */
export function exponentialBackoff(baseMs: number, maxMs = 30_000): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export async function withRetry<T>(
  action: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (attempt >= attempts || !options.shouldRetry(error)) throw error;
      const delay = options.delayMs(attempt);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
