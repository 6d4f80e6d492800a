import * as core from '@actions/core';

/**
 * What the main step leaves for the post step. Saved as soon as it is true, so a failed or
 * cancelled main step still gets cleaned up. Never holds a secret.
 */
export const State = {
  registryHost: 'registry-host', // logged in by this step: log out again
  tempDir: 'temp-dir', // the action's own temporary folder: remove it
  checkout: 'checkout', // a workflow's own checkout the action wrote into: restore only inside it
  restore: 'restore', // JSON: files written into that checkout
} as const;

export interface RestoreEntry {
  path: string; // absolute path in the checkout
  backup?: string; // a copy of what was there before; absent when the file is new
  directory?: boolean; // a folder made for a new file (e.g. certs/): removed once empty
}

/**
 * Claims every state name before anything else happens. The runner sets the saved state last,
 * over the job's `env:` (actions/runner, src/Runner.Worker/ActionRunner.cs), so a `STATE_restore`
 * or `STATE_temp-dir` put into the job's environment can never reach the post step.
 */
export function claimState(): void {
  for (const name of Object.values(State)) core.saveState(name, '');
}

export function saveRestoreEntries(checkout: string, entries: RestoreEntry[]): void {
  core.saveState(State.checkout, checkout);
  core.saveState(State.restore, JSON.stringify(entries));
}

export function restoreEntries(): RestoreEntry[] {
  const text = core.getState(State.restore);
  return text ? (JSON.parse(text) as RestoreEntry[]) : [];
}
