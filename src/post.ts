import { existsSync } from 'node:fs';
import { copyFile, rm, rmdir } from 'node:fs/promises';
import * as core from '@actions/core';
import { dockerLogout } from './docker/cli.js';
import { errorMessage } from './errors.js';
import { type RestoreEntry, State, restoreEntries } from './state.js';

/**
 * Undoes what the main step did: logs out only what it logged in to, puts a workflow's own
 * checkout back as it was, removes the action's temporary files. Safe to run twice; a cleanup
 * problem is a warning, never a failed job.
 */
export async function post(): Promise<void> {
  const host = core.getState(State.registryHost);
  if (host) {
    const problem = await dockerLogout(host).catch(errorMessage);
    if (problem) core.warning(`docker logout ${host} failed: ${problem}`);
    else core.info(`Logged out of ${host}`);
  }

  const tempDir = core.getState(State.tempDir);
  // The backups live in the temporary folder: once it is gone, an earlier run put them back.
  const restoredBefore = tempDir !== '' && !existsSync(tempDir);
  const entries = readRestoreEntries();
  // Files first, then the folders made for them, deepest first: each is empty by its turn.
  const folders = entries.filter((entry) => entry.directory);
  folders.sort((a, b) => b.path.length - a.path.length);
  for (const entry of [...entries.filter((entry) => !entry.directory), ...folders]) {
    if (entry.backup && restoredBefore) continue;
    try {
      if (entry.directory) await rmdir(entry.path).catch(ignoreMissing);
      else if (entry.backup) await copyFile(entry.backup, entry.path);
      else await rm(entry.path, { force: true });
    } catch (error) {
      core.warning(`Could not restore ${entry.path}: ${errorMessage(error)}`);
    }
  }

  if (tempDir) {
    try {
      await rm(tempDir, { recursive: true, force: true });
      core.info(`Removed ${tempDir}`);
    } catch (error) {
      core.warning(`Could not remove ${tempDir}: ${errorMessage(error)}`);
    }
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
