import { existsSync } from 'node:fs';
import { lstat, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import { dockerLogout } from './docker/cli.js';
import { errorMessage } from './errors.js';
import { assertNoLinks, isInside, replaceWithCopy } from './lib/safe-files.js';
import { runnerTemp } from './runner.js';
import { type RestoreEntry, State, restoreEntries } from './state.js';

/**
 * Undoes what the main step did: logs out only what it logged in to, puts a workflow's own
 * checkout back as it was, removes the action's temporary files. Safe to run twice; a cleanup
 * problem is a warning, never a failed job. It touches only what the main step could have made:
 * a `canvos-action-*` folder directly in RUNNER_TEMP, and files inside the recorded checkout.
 */
export async function post(): Promise<void> {
  const host = core.getState(State.registryHost);
  if (host) {
    const problem = await dockerLogout(host).catch(errorMessage);
    if (problem) core.warning(`docker logout ${host} failed: ${problem}`);
    else core.info(`Logged out of ${host}`);
  }

  const tempDir = ownTempDir(core.getState(State.tempDir));
  // The backups live in the temporary folder: once it is gone, an earlier run put them back.
  const restoredBefore = tempDir !== undefined && !existsSync(tempDir);
  await restoreCheckout(core.getState(State.checkout), tempDir, restoredBefore);

  if (tempDir) {
    try {
      const stat = await lstat(tempDir).catch(() => undefined);
      if (stat?.isDirectory()) {
        await rm(tempDir, { recursive: true, force: true });
        core.info(`Removed ${tempDir}`);
      }
    } catch (error) {
      core.warning(`Could not remove ${tempDir}: ${errorMessage(error)}`);
    }
  }
}

/** The saved temporary folder, if it is one the main step can have made (mkdtemp in RUNNER_TEMP). */
function ownTempDir(saved: string): string | undefined {
  if (!saved) return undefined;
  const dir = resolve(saved);
  if (
    dir === saved &&
    dirname(dir) === resolve(runnerTemp()) &&
    /^canvos-action-\w{6}$/.test(basename(dir))
  ) {
    return dir;
  }
  core.warning(`Not removing ${saved}: it is not a canvos-action-* folder in RUNNER_TEMP`);
  return undefined;
}

async function restoreCheckout(
  checkout: string,
  tempDir: string | undefined,
  restoredBefore: boolean,
): Promise<void> {
  const entries = readRestoreEntries();
  if (entries.length === 0) return;
  if (!isAbsolute(checkout)) {
    core.warning('Not restoring the CanvOS checkout: the main step recorded none');
    return;
  }
  // Files first, then the folders made for them, deepest first: each is empty by its turn.
  const folders = entries.filter((entry) => entry.directory);
  folders.sort((a, b) => b.path.length - a.path.length);
  for (const entry of [...entries.filter((entry) => !entry.directory), ...folders]) {
    if (entry.backup && restoredBefore) continue;
    try {
      await restoreEntry(checkout, tempDir, entry);
    } catch (error) {
      core.warning(`Could not restore ${entry.path}: ${errorMessage(error)}`);
    }
  }
}

async function restoreEntry(
  checkout: string,
  tempDir: string | undefined,
  entry: RestoreEntry,
): Promise<void> {
  const path = resolve(entry.path);
  // Only inside the checkout, and never through a link someone put there since.
  await assertNoLinks(checkout, path);
  if (entry.directory) {
    await rmdir(path).catch(ignoreMissing);
  } else if (entry.backup) {
    const backup = resolve(entry.backup);
    if (!tempDir || !isInside(tempDir, backup) || backup === tempDir) {
      throw new Error('its backup is not in the action’s temporary folder');
    }
    await replaceWithCopy(backup, path);
  } else {
    await rm(path, { force: true });
  }
}

/** The files to put back; a damaged list is a warning, and the rest of the clean-up still runs. */
function readRestoreEntries(): RestoreEntry[] {
  try {
    return restoreEntries();
  } catch (error) {
    core.warning(`Could not read the list of files to restore: ${errorMessage(error)}`);
    return [];
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
