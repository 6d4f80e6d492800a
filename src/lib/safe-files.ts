/**
 * Files inside a folder the action does not own (a workflow's CanvOS checkout): every part of the
 * path below the folder must be a real file or folder, never a symbolic link that leads elsewhere,
 * and a file is replaced by renaming a fresh one over it, so a link put there is replaced, not
 * followed.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

export class LinkError extends Error {}

/** Whether `path` is `root` itself or lies below it (both absolute, without `..`). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Throws a LinkError when `path` (below `root`) or any folder between them is a symbolic link,
 * or lies outside `root`. Parts that do not exist yet are fine: they will be made here.
 */
export async function assertNoLinks(root: string, path: string): Promise<void> {
  if (!isInside(root, path) || path === root) {
    throw new LinkError(`${path} is not inside ${root}`);
  }
  let current = root;
  for (const part of relative(root, path).split(sep)) {
    current = join(current, part);
    const stat = await lstat(current).catch(() => undefined);
    if (!stat) return;
    if (stat.isSymbolicLink()) {
      throw new LinkError(`${relative(root, current)} is a symbolic link`);
    }
  }
}

/** Reads `root/name`, refusing a link; undefined when there is no such file. */
export async function readInside(root: string, name: string): Promise<string | undefined> {
  const path = join(root, name);
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return undefined;
  await assertNoLinks(root, path);
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Writes `path` through a temporary file beside it and a rename, which never follows a link. */
export async function replaceFile(path: string, content: string): Promise<void> {
  await throughTemp(path, (temp) => writeFile(temp, content, { flag: 'wx' }));
}

/** Puts a copy of `source` (with its mode) at `path`, the same way as replaceFile. */
export async function replaceWithCopy(source: string, path: string): Promise<void> {
  await throughTemp(path, (temp) => copyFile(source, temp, constants.COPYFILE_EXCL));
}

async function throughTemp(path: string, make: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.canvos-action-${randomUUID()}.tmp`);
  try {
    await make(temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
