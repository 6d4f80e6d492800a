import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/lib/file-lock.js';

describe('withFileLock', () => {
  it('a stale lock is taken over by one waiter at a time, never by two at once', async () => {
    for (let round = 0; round < 3; round++) {
      const lock = join(mkdtempSync(join(tmpdir(), 'file-lock-')), 'x.lock');
      // A lock left by a job that died: untouched for longer than staleMs.
      writeFileSync(lock, 'dead-host 1 dead\n');
      utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      let holders = 0;
      let most = 0;
      const waiter = () =>
        withFileLock(
          lock,
          async () => {
            most = Math.max(most, ++holders);
            await new Promise((resolve) => setTimeout(resolve, 30));
            holders--;
          },
          { staleMs: 10_000, pollMs: 5 },
        );
      await Promise.all(Array.from({ length: 8 }, waiter));
      expect(most, `round ${round}`).toBe(1);
    }
  });

  it('re-checks the holder before removing a stale lock: a lock taken over meanwhile stays', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'file-lock-')), 'x.lock');
    writeFileSync(lock, 'dead-host 1 dead\n');
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    let ran = false;
    let replaced = false;
    const waiting = withFileLock(
      lock,
      () => {
        ran = true;
        return Promise.resolve();
      },
      {
        staleMs: 10_000,
        pollMs: 5,
        // Between this waiter judging the lock stale and removing it, another waiter took the
        // stale lock over and now holds a fresh one (the stat-then-remove race).
        log: (message) => {
          if (replaced || !/stale/i.test(message)) return;
          replaced = true;
          rmSync(lock);
          writeFileSync(lock, 'other-host 2 fresh\n');
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replaced).toBe(true);
    expect(ran).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe('other-host 2 fresh\n');
    rmSync(lock); // the other holder is done
    await waiting;
    expect(ran).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });
});
