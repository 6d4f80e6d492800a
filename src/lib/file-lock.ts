/**
 * A lock file shared by processes on one machine (jobs on one self-hosted runner), created with
 * O_EXCL so only one holder at a time.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from './retry.js';

/** How long a lock file may sit untouched before we assume its job died. */
const LOCK_STALE_MS = 5 * 60_000;
const LOCK_POLL_MS = 250;

export interface FileLockOptions {
  staleMs?: number;
  pollMs?: number;
  /** Told when the lock is waited for or taken over. */
  log?: (message: string) => void;
}

/**
 * Runs `action` while holding `lockPath`, created with O_EXCL ('wx'). A lock untouched for
 * `staleMs` is taken to belong to a dead job and removed. The lock is released in `finally`,
 * and only if it is still ours (a waiter may have judged it stale and replaced it).
 */
export async function withFileLock<T>(
  lockPath: string,
  action: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const pollMs = options.pollMs ?? LOCK_POLL_MS;
  const token = `${os.hostname()} ${process.pid} ${randomUUID()}\n`;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });

  let announced = false;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = await fs.stat(lockPath).catch(() => undefined);
    if (!stat) continue; // released between our open and stat: try again at once
    if (Date.now() - stat.mtimeMs > staleMs) {
      options.log?.(
        `Taking over stale lock ${lockPath} (untouched for over ${Math.round(staleMs / 1000)}s)`,
      );
      if (await removeIfStillStale(lockPath, staleMs)) continue;
    }
    if (!announced) {
      options.log?.(`Waiting for another job to release ${lockPath}`);
      announced = true;
    }
    await sleep(pollMs + Math.random() * pollMs);
  }

  try {
    return await action();
  } finally {
    const holder = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder === token) await fs.rm(lockPath, { force: true });
  }
}

/**
 * Removes a stale lock, but only while holding `<lock>.takeover` and only if the lock there is
 * still stale: between our stat and our remove another waiter may have taken the stale lock over
 * and now hold a fresh one, which a plain stat-then-remove would delete from under it. False when
 * someone else is taking it over, or it is no longer stale.
 */
async function removeIfStillStale(lockPath: string, staleMs: number): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A taker that died holding the guard must not block everyone for good.
    const held = await fs.stat(guard).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > staleMs) await fs.rm(guard, { force: true });
    return false;
  }
  try {
    const now = await fs.stat(lockPath).catch(() => undefined);
    if (!now || Date.now() - now.mtimeMs <= staleMs) return false;
    await fs.rm(lockPath, { force: true });
    return true;
  } finally {
    await handle.close();
    await fs.rm(guard, { force: true });
  }
}
