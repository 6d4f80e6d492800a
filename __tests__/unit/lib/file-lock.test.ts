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
    expect(log).toEqual([expect.stringMatching(/^Removing stale lock .*stale\.lock/)]);
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
