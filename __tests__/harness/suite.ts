// One set-up for every test file that needs the harness: started before the file's tests, stopped
// after them. Kept apart from index.ts because it registers vitest hooks, and scripts/ import the
// harness outside vitest.
import { afterAll, beforeAll, inject } from 'vitest';
import { type Harness, type HarnessOptions, startHarness } from './index.js';

/**
 * Starts `start()` in this file's beforeAll and `stop()`s it in its afterAll. Returns a stand-in
 * that reads through to the started value, so tests write `h.registry`, not `h().registry`.
 */
export function forThisFile<T extends object>(
  start: () => Promise<T>,
  stop: (value: T) => Promise<void>,
): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    if (value) await stop(value);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!value) throw new Error('the harness is used before beforeAll started it');
      return Reflect.get(value, key, value) as unknown;
    },
  });
}

/** The whole harness for this file, on the run's shared Docker engine when there is one. */
export function useHarness(opts: HarnessOptions = {}): Harness {
  return forThisFile(
    () => startHarness({ dockerHost: inject('dockerHost') || undefined, ...opts }),
    (h) => h.stop(),
  );
}
