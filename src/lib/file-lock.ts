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
        `Removing stale lock ${lockPath} (untouched for over ${Math.round(staleMs / 1000)}s)`,
      );
      await fs.rm(lockPath, { force: true });
      continue;
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
