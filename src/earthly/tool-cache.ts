/**
 * Earthly's folder in the runner's tool cache: a verified binary plus the record of its hash,
 * written under a lock and trusted only while it still matches that record. The binary is hashed
 * on every use: on a shared (self-hosted) tool cache anyone who can write it could swap the binary
 * and keep its size and mtime, so nothing short of the hash vouches for it (~0.3 s per 100 MB).
 */
import * as core from '@actions/core';
import * as tc from '@actions/tool-cache';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { withFileLock } from '../lib/file-lock.js';
import { sha256File } from '../lib/sha256.js';
import { toolCacheRoot } from '../runner.js';
import type { EarthlyCommand } from './release.js';

/** Name of the file, in the cached directory, recording the verified hash (sha256sum format). */
export const SHA256_RECORD = '.sha256';

export interface CachedEarthly {
  dir: string;
  sha256: string;
}

/**
 * The cached directory when it holds a binary whose hash matches the record we wrote (and the
 * expected hash, when one was given); undefined otherwise, so the caller installs afresh.
 */
export async function findIntactCache(
  command: EarthlyCommand,
  toolVersion: string,
  arch: string,
  expectedSha256?: string,
  log: (message: string) => void = core.info,
): Promise<CachedEarthly | undefined> {
  const dir = tc.find(command, toolVersion, arch);
  if (!dir) return undefined;
  const inspected = await inspectCachedDir(dir, command, expectedSha256);
  if ('problem' in inspected) {
    log(`Ignoring the cached ${command} in ${dir}: ${inspected.problem}`);
    return undefined;
  }
  return { dir, sha256: inspected.sha256 };
}

async function inspectCachedDir(
  dir: string,
  command: EarthlyCommand,
  expectedSha256?: string,
): Promise<{ sha256: string } | { problem: string }> {
  const binary = path.join(dir, command);
  const stat = await fs.stat(binary).catch(() => undefined);
  if (!stat?.isFile()) return { problem: `${command} is missing` };
  if (command === 'earth') {
    const alias = await fs.stat(path.join(dir, 'earthly')).catch(() => undefined);
    if (!alias?.isFile()) return { problem: 'the earthly alias is missing' };
  }
  const recorded = await readSha256Record(dir, command);
  if (!recorded) return { problem: `no ${SHA256_RECORD} record` };
  if (expectedSha256 && recorded !== expectedSha256) {
    return {
      problem: `it was verified as sha256 ${recorded.slice(0, 12)}…, not the expected ${expectedSha256.slice(0, 12)}…`,
    };
  }
  // Re-hash on every use: a replaced binary (or one truncated by a killed job) must not run.
  if ((await sha256File(binary)) !== recorded) {
    return { problem: 'the binary no longer matches its recorded sha256' };
  }
  return { sha256: recorded };
}

async function readSha256Record(dir: string, command: EarthlyCommand): Promise<string | undefined> {
  const text = await fs.readFile(path.join(dir, SHA256_RECORD), 'utf8').catch(() => '');
  const match = /^([0-9a-f]{64})\s+\*?(\S+)/m.exec(text);
  return match && match[2] === command ? match[1] : undefined;
}

/** Lays out the directory to cache: the binary, the `earthly` alias for the fork, the record. */
export async function stageBinary(
  downloaded: string,
  staging: string,
  command: EarthlyCommand,
  sha256: string,
): Promise<void> {
  await fs.mkdir(staging, { recursive: true });
  const binary = path.join(staging, command);
  await fs.rename(downloaded, binary);
  await fs.chmod(binary, 0o755);
  if (command === 'earth') {
    // Later steps (and CanvOS's own scripts) call `earthly`; a relative link survives the copy
    // into the tool cache (io.cp re-creates links with the same target).
    await fs.symlink('earth', path.join(staging, 'earthly'));
  }
  await fs.writeFile(path.join(staging, SHA256_RECORD), `${sha256}  ${command}\n`);
}

/**
 * tc.cacheDir deletes and re-copies the version folder, so two jobs on one self-hosted runner
 * caching the same version at once could pull the binary from under each other. A lock file
 * beside the folder serialises the write, and whoever comes second reuses the first one's copy.
 */
export async function cacheUnderLock(
  staging: string,
  command: EarthlyCommand,
  toolVersion: string,
  arch: string,
  sha256: string,
  log: (message: string) => void = core.info,
): Promise<string> {
  const lockPath = path.join(toolCacheRoot(), command, toolVersion, `${arch}.lock`);
  return withFileLock(
    lockPath,
    async () => {
      const other = await findIntactCache(command, toolVersion, arch, sha256, log);
      if (other) {
        log(`Another job cached ${command} ${toolVersion} meanwhile; using its copy`);
        return other.dir;
      }
      return tc.cacheDir(staging, command, toolVersion, arch);
    },
    { log },
  );
}
