// Files in a folder the action does not own: a symbolic link anywhere below it is refused, and a
// file is replaced by a rename, so a link put in its place is replaced, never followed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LinkError,
  assertNoLinks,
  isInside,
  readInside,
  replaceFile,
  replaceWithCopy,
} from '../../../src/lib/safe-files.js';
import { useSandbox } from '../support.js';

const sandbox = useSandbox('safe-files-test-');

function tree(): { root: string; outside: string } {
  const root = fs.mkdtempSync(path.join(sandbox.dir, 'root-'));
  const outside = fs.mkdtempSync(path.join(sandbox.dir, 'outside-'));
  fs.writeFileSync(path.join(outside, 'secret'), 'outside');
  return { root, outside };
}

describe('safe files', () => {
  it('isInside: the folder itself and what lies below it, nothing else', () => {
    expect(isInside('/ws/canvos', '/ws/canvos')).toBe(true);
    expect(isInside('/ws/canvos', '/ws/canvos/certs/a.crt')).toBe(true);
    expect(isInside('/ws/canvos', '/ws/canvos-other/a')).toBe(false);
    expect(isInside('/ws/canvos', '/ws')).toBe(false);
  });

  it('assertNoLinks refuses a link at any part of the path, and paths outside the folder', async () => {
    const { root, outside } = tree();
    fs.symlinkSync(outside, path.join(root, 'certs'));
    await expect(assertNoLinks(root, path.join(root, 'certs', 'a.crt'))).rejects.toThrow(
      new LinkError('certs is a symbolic link'),
    );
    await expect(assertNoLinks(root, path.join(outside, 'secret'))).rejects.toBeInstanceOf(
      LinkError,
    );
    await expect(assertNoLinks(root, root)).rejects.toBeInstanceOf(LinkError);
    await expect(assertNoLinks(root, path.join(root, 'new', 'file'))).resolves.toBeUndefined();
  });

  it('readInside reads a plain file, gives undefined for a missing one, refuses a link', async () => {
    const { root, outside } = tree();
    fs.writeFileSync(path.join(root, 'Earthfile'), 'VERSION 0.6\n');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, '.arg'));
    await expect(readInside(root, 'Earthfile')).resolves.toBe('VERSION 0.6\n');
    await expect(readInside(root, 'k8s_version.json')).resolves.toBeUndefined();
    await expect(readInside(root, '.arg')).rejects.toBeInstanceOf(LinkError);
  });

  it('replaceFile and replaceWithCopy replace a link instead of writing through it', async () => {
    const { root, outside } = tree();
    const target = path.join(root, '.arg');
    fs.symlinkSync(path.join(outside, 'secret'), target);
    await replaceFile(target, 'CUSTOM_TAG=demo\n');
    expect(fs.lstatSync(target).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('CUSTOM_TAG=demo\n');
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('outside');

    const backup = path.join(sandbox.dir, 'backup');
    fs.writeFileSync(backup, 'before\n', { mode: 0o640 });
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'sc.crt'));
    await replaceWithCopy(backup, path.join(root, 'sc.crt'));
    expect(fs.readFileSync(path.join(root, 'sc.crt'), 'utf8')).toBe('before\n');
    expect(fs.statSync(path.join(root, 'sc.crt')).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(path.join(outside, 'secret'), 'utf8')).toBe('outside');
    expect(fs.readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
