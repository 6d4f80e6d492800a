import { copyFile, rm } from 'node:fs/promises';
import * as core from '@actions/core';
import { dockerLogout } from './docker.js';
import { errorMessage } from './errors.js';
import { State, restoreEntries } from './state.js';

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

  for (const entry of restoreEntries()) {
    try {
      if (entry.backup) await copyFile(entry.backup, entry.path);
      else await rm(entry.path, { force: true });
    } catch (error) {
      core.warning(`Could not restore ${entry.path}: ${errorMessage(error)}`);
    }
  }

  const tempDir = core.getState(State.tempDir);
  if (tempDir) {
    try {
      await rm(tempDir, { recursive: true, force: true });
      core.info(`Removed ${tempDir}`);
    } catch (error) {
      core.warning(`Could not remove ${tempDir}: ${errorMessage(error)}`);
    }
  }
}
