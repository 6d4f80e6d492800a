/** The docker CLI: log in and out, Docker's data root, images in the local engine. */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { ActionError } from '../errors.js';
import { configKeyMatches, dockerConfigFile, readDockerConfig } from './config.js';

async function docker(args: string[], input?: Buffer): Promise<exec.ExecOutput> {
  return exec.getExecOutput('docker', args, { input, silent: true, ignoreReturnCode: true });
}

/** `docker login` with the password on stdin, never on the command line. */
export async function dockerLogin(host: string, username: string, password: string): Promise<void> {
  const result = await docker(
    ['login', `--username=${username}`, '--password-stdin', '--', host],
    Buffer.from(password),
  );
  if (result.exitCode !== 0) {
    const reason = result.stderr.trim().split('\n').pop() ?? '';
    const hint = /401|unauthorized|denied|incorrect/i.test(reason)
      ? 'check registry-username and registry-password (for GHCR: a token with write:packages)'
      : 'check that Docker runs and the registry answers';
    throw new ActionError(
      `docker login to ${host} failed: ${reason.replaceAll(password, '***')} — ${hint}`,
    );
  }
  core.info(`Logged in to ${host} as ${username}`);
}

export async function dockerLogout(host: string): Promise<string | undefined> {
  const result = await docker(['logout', host]);
  if (result.exitCode !== 0) return result.stderr.trim() || `exit code ${result.exitCode}`;
  // docker logout exits 0 even when it cannot rewrite its config (a full disk, a read-only file):
  // make sure the password is really gone.
  const config = await readDockerConfig();
  const left = Object.entries(config?.auths ?? {}).some(
    ([key, entry]) => entry?.auth && configKeyMatches(key, host),
  );
  return left ? `its credentials are still in ${dockerConfigFile()}` : undefined;
}

/** Docker's data directory, where a local BuildKit keeps its cache. */
export async function dockerRootDir(): Promise<string | undefined> {
  const result = await docker(['info', '--format', '{{.DockerRootDir}}']);
  const dir = result.stdout.trim();
  return result.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
}

/** Free bytes on the filesystem holding `path` (or its nearest readable parent). */
export async function freeBytes(path: string): Promise<number | undefined> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const stats = await statfs(dir);
      return stats.bavail * stats.bsize;
    } catch {
      if (dir === dirname(dir)) return undefined;
    }
  }
}

/**
 * The image id (`sha256:…`) of `ref` in the local Docker, or undefined when Docker has no such
 * image. Other failures (no daemon, no docker CLI) throw: "absent" must not hide "unknown".
 */
export function lookupLocalImage(ref: string): Promise<string | undefined> {
  return inspectImage(ref, '{{.Id}}');
}

/**
 * The `os/architecture` of `ref` in the local Docker (what Earthly compares with its own arch), or
 * undefined when Docker has no such image.
 */
export function localImagePlatform(ref: string): Promise<string | undefined> {
  return inspectImage(ref, '{{.Os}}/{{.Architecture}}');
}

async function inspectImage(ref: string, format: string): Promise<string | undefined> {
  if (!ref.trim() || ref.startsWith('-')) throw new Error(`Invalid image reference "${ref}"`);
  let result: exec.ExecOutput;
  try {
    result = await docker(['image', 'inspect', '--format', format, ref]);
  } catch (error) {
    throw new Error(`Could not run docker image inspect: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (result.exitCode === 0) {
    const value = result.stdout.trim().split('\n')[0]?.trim();
    return value || undefined;
  }
  if (/no such (image|object)/i.test(result.stderr)) return undefined;
  const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
  throw new Error(`docker image inspect ${ref} failed: ${reason}`);
}
