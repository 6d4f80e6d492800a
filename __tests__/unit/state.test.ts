import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RestoreEntry, State, restoreEntries, saveRestoreEntries } from '../../src/state.js';
import { parseCommandFile } from '../harness/runner.js';
import { useSandbox } from './support.js';

const sandbox = useSandbox('state-test-', (dir) => ({
  GITHUB_STATE: path.join(dir, 'state'),
  [`STATE_${State.restore}`]: undefined,
}));

describe('restore entries', () => {
  it('are saved for the post step, which reads them back as STATE_restore', () => {
    fs.writeFileSync(path.join(sandbox.dir, 'state'), '');
    const entries: RestoreEntry[] = [
      { path: '/ws/canvos/.arg', backup: '/tmp/a/backup-0' },
      { path: '/ws/canvos/certs/ca.pem' },
      { path: '/ws/canvos/certs', directory: true },
    ];
    saveRestoreEntries('/ws/canvos', entries);
    // The post step reads saved state as STATE_<name> (@actions/core getState).
    const saved = parseCommandFile(fs.readFileSync(path.join(sandbox.dir, 'state'), 'utf8'));
    expect(Object.keys(saved)).toEqual([State.checkout, State.restore]);
    expect(saved[State.checkout]).toBe('/ws/canvos');
    process.env[`STATE_${State.restore}`] = saved[State.restore];
    expect(restoreEntries()).toEqual(entries);
  });

  it('are none when nothing was saved, and a damaged list throws', () => {
    expect(restoreEntries()).toEqual([]);
    process.env[`STATE_${State.restore}`] = '[{"path":';
    expect(() => restoreEntries()).toThrow(SyntaxError);
  });
});
