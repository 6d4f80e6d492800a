import * as core from '@actions/core';

/**
 * What the main step leaves for the post step. Saved as soon as it is true, so a failed or
 * cancelled main step still gets cleaned up. Never holds a secret.
 */
export const State = {
  isPost: 'isPost',
  registryHost: 'registry-host', // logged in by this step: log out again
  tempDir: 'temp-dir', // the action's own temporary folder: remove it
  restore: 'restore', // JSON: files written into a workflow's own checkout
} as const;

export interface RestoreEntry {
  path: string; // absolute path in the checkout
  backup?: string; // a copy of what was there before; absent when the file is new
  directory?: boolean; // a folder made for a new file (e.g. certs/): removed once empty
}

export function saveRestoreEntries(entries: RestoreEntry[]): void {
  core.saveState(State.restore, JSON.stringify(entries));
}

export function restoreEntries(): RestoreEntry[] {
  const text = core.getState(State.restore);
  return text ? (JSON.parse(text) as RestoreEntry[]) : [];
}
