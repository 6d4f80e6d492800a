import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/lib/file-lock.js';
import { useSandbox } from '../support.js';
const sandbox = useSandbox('file-lock-test-');
const lockIn = (name: string) => path.join(sandbox.dir, 'locks', name);

describe('withFileLock', () => {
  it('runs holders one at a time and releases on failure', async () => {
    const lock = lockIn('x.lock');
    let inside = 0;
    let maxInside = 0;
    const hold = () =>
      withFileLock(
        lock,
        async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 20));
          inside--;
        },
        { pollMs: 5 },
      );
    await Promise.all([hold(), hold(), hold()]);
    expect(maxInside).toBe(1);
    await expect(
      withFileLock(lock, () => Promise.reject(new Error('inner')), { pollMs: 5 }),
    ).rejects.toThrow('inner');
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('removes a stale lock left by a dead job, and says so', async () => {
    const lock = lockIn('stale.lock');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, 'dead job\n');
    const old = new Date(Date.now() - 10 * 60_000);
    fs.utimesSync(lock, old, old);
    const log: string[] = [];
    await expect(withFileLock(lock, async () => 'ran', { log: (m) => log.push(m) })).resolves.toBe(
      'ran',
    );
    expect(log).toEqual([expect.stringMatching(/^Taking over stale lock .*stale\.lock/)]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('waits for a live holder, and leaves alone a lock that is no longer its own', async () => {
    const lock = lockIn('taken.lock');
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = withFileLock(lock, () => new Promise<void>((r) => (release = r)), { pollMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    const second = withFileLock(lock, async () => 'second', { pollMs: 5, log: (m) => log.push(m) });
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual([expect.stringMatching(/^Waiting for another job to release/)]);
    // Someone judged the first holder stale and took the lock over: its release must not remove it.
    fs.writeFileSync(lock, 'another job\n');
    release();
    await first;
    expect(fs.readFileSync(lock, 'utf8')).toBe('another job\n');
    fs.rmSync(lock);
    await expect(second).resolves.toBe('second');
  });
});

describe('withFileLock: a stale lock', () => {
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
