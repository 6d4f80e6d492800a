// The post step's own entry point, imported as the runner runs dist/post/index.js (action.yml
// `runs.post`): it cleans up what the main step recorded, and a clean-up problem never fails it.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { State } from '../../src/state.js';
import { captureStdout, useSandbox } from './support.js';

const sandbox = useSandbox('post-entry-test-', (dir) => ({
  RUNNER_TEMP: dir,
  GITHUB_STATE: join(dir, 'state'),
  [`STATE_${State.tempDir}`]: undefined,
  [`STATE_${State.registryHost}`]: undefined,
}));
afterEach(() => {
  process.exitCode = undefined;
});

async function postEntry(): Promise<string[]> {
  writeFileSync(join(sandbox.dir, 'state'), '');
  const printed = captureStdout();
  vi.resetModules();
  await import('../../src/post-entry.js');
  return printed;
}

describe('the post entry point', () => {
  it('removes the temporary folder the main step recorded', async () => {
    const temp = mkdtempSync(join(sandbox.dir, 'canvos-action-'));
    process.env[`STATE_${State.tempDir}`] = temp;
    const printed = await postEntry();
    expect(existsSync(temp)).toBe(false);
    expect(printed.filter((line) => line.startsWith('::error::'))).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it('turns a clean-up problem into a warning, never a failed step', async () => {
    process.env[`STATE_${State.tempDir}`] = '/etc';
    const printed = await postEntry();
    expect(existsSync('/etc')).toBe(true);
    expect(printed.some((line) => line.startsWith('::warning::'))).toBe(true);
    expect(process.exitCode).toBeUndefined();
  });
});
