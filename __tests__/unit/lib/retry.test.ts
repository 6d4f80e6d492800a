import { describe, expect, it } from 'vitest';
import { exponentialBackoff, sleep, withRetry } from '../../../src/lib/retry.js';

describe('exponentialBackoff', () => {
  it('doubles from the base up to the cap', () => {
    const delay = exponentialBackoff(100, 1_000);
    expect([1, 2, 3, 4, 5].map(delay)).toEqual([100, 200, 400, 800, 1_000]);
    expect(exponentialBackoff(500)(20)).toBe(30_000);
  });
});

describe('withRetry', () => {
  const transient = new Error('transient');

  it('retries what shouldRetry accepts, telling onRetry, until it succeeds', async () => {
    const told: [unknown, number, number][] = [];
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw transient;
        return 'done';
      },
      {
        attempts: 5,
        delayMs: (attempt) => attempt,
        shouldRetry: (error) => error === transient,
        onRetry: (error, attempt, delay) => told.push([error, attempt, delay]),
      },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(told).toEqual([
      [transient, 1, 1],
      [transient, 2, 2],
    ]);
  });

  it('throws the last error once the attempts are spent', async () => {
    let tries = 0;
    const failing = withRetry(
      async () => {
        tries++;
        throw transient;
      },
      { attempts: 3, delayMs: () => 0, shouldRetry: () => true },
    );
    await expect(failing).rejects.toBe(transient);
    expect(tries).toBe(3);
  });

  it('throws at once what shouldRetry refuses, and tries at least once', async () => {
    let tries = 0;
    const fatal = new Error('fatal');
    const options = { attempts: 0, delayMs: () => 0, shouldRetry: () => false };
    await expect(
      withRetry(async () => {
        tries++;
        throw fatal;
      }, options),
    ).rejects.toBe(fatal);
    expect(tries).toBe(1);
  });
});

describe('sleep', () => {
  it('waits about as long as asked, and a negative time not at all', async () => {
    const start = Date.now();
    await sleep(30);
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);
    await expect(sleep(-5)).resolves.toBeUndefined();
  });
});
