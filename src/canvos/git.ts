/** git, as the action uses it: list tags, clone one tag, describe a workflow's own checkout. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as exec from '@actions/exec';
import { ActionError } from '../errors.js';
import { childEnv } from '../runner.js';
import { gitTokenCredentials } from './token.js';

export interface GitAuth {
  token: string;
  serverUrl: string; // the workflow's GitHub server: the only host the token may go to
}

/**
 * Git's environment: no prompts, and for a repository on the workflow's own server the token as an
 * HTTP header scoped to that server (as actions/checkout does), passed through GIT_CONFIG_* so it
 * never shows in a command line. With the token, redirects are refused: git (http.c) keeps sending
 * the header to wherever the first request was redirected, and by default (`initial`) follows
 * that redirect, so a server could hand the token to another origin.
 */
export function gitEnv(repository: string, auth: GitAuth | undefined): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };
  if (auth && sameOrigin(repository, auth.serverUrl)) {
    const basic = gitTokenCredentials(auth.token);
    Object.assign(env, {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `http.${new URL(auth.serverUrl).origin}/.extraheader`,
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
      GIT_CONFIG_KEY_1: 'http.followRedirects',
      GIT_CONFIG_VALUE_1: 'false',
    });
  }
  return env;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.protocol.startsWith('http') && x.origin === y.origin;
  } catch {
    return false;
  }
}

async function git(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<exec.ExecOutput> {
  return exec.getExecOutput('git', args, {
    cwd,
    env: { ...childEnv(), ...env },
    silent: true,
    ignoreReturnCode: true,
  });
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** `git ls-remote --tags`: only refs, no history. */
export async function listRemoteTags(repository: string, auth?: GitAuth): Promise<string> {
  const result = await git(['ls-remote', '--tags', repository], gitEnv(repository, auth));
  if (result.exitCode !== 0) {
    throw new ActionError(`Could not list the tags of ${repository}: ${lastLines(result.stderr)}`);
  }
  return result.stdout;
}

/** A shallow clone of one tag: all a CanvOS build needs (its Earthfile uses no git metadata). */
export async function cloneTag(
  repository: string,
  tag: string,
  dest: string,
  auth?: GitAuth,
): Promise<string> {
  await clone(repository, tag, dest, gitEnv(repository, auth), []);
  return headCommit(dest);
}

/** A partial clone of one tag with only `paths` checked out, and whether the server filtered. */
export interface PartialClone {
  commit: string;
  /** False when the server refused the filter: then the whole tree at the tag came, as shallow. */
  filtered: boolean;
}

/**
 * One tag's commit and trees without their file contents (`--filter=blob:none`), then a sparse
 * checkout of `paths` alone, whose contents git fetches in one batch. A server that does not allow
 * filters (uploadpack.allowFilter off) sends every blob instead, and git only warns (fetch-pack.c).
 */
export async function clonePaths(
  repository: string,
  tag: string,
  dest: string,
  paths: readonly string[],
  auth?: GitAuth,
): Promise<PartialClone> {
  const env = gitEnv(repository, auth);
  // core.sparseCheckout and the sparse-checkout file, as git-read-tree(1) "SPARSE CHECKOUT" reads
  // them (git 1.7 on): `git status` in the checkout stays clean and the rest of the tree absent.
  const stderr = await clone(repository, tag, dest, env, [
    '--filter=blob:none',
    '--no-checkout',
    '--config',
    'core.sparseCheckout=true',
  ]);
  await mkdir(join(dest, '.git', 'info'), { recursive: true });
  await writeFile(
    join(dest, '.git', 'info', 'sparse-checkout'),
    paths.map((path) => `/${path}\n`).join(''),
  );
  const checkout = await git(['read-tree', '-mu', 'HEAD'], env, dest);
  if (checkout.exitCode !== 0) {
    throw new ActionError(`Could not check out ${tag} in ${dest}: ${lastLines(checkout.stderr)}`);
  }
  return {
    commit: await headCommit(dest),
    filtered: !/filtering not recognized by server/.test(stderr),
  };
}

/** `git clone --depth 1 --branch <tag>` with `extra` options; returns git's stderr. */
async function clone(
  repository: string,
  tag: string,
  dest: string,
  env: Record<string, string>,
  extra: string[],
): Promise<string> {
  const result = await git(
    [
      '-c',
      'advice.detachedHead=false',
      'clone',
      '--quiet',
      '--depth',
      '1',
      '--branch',
      tag,
      '--single-branch',
      '--no-tags',
      ...extra,
      '--',
      repository,
      dest,
    ],
    env,
  );
  if (result.exitCode !== 0) {
    const reason = /not found in upstream|Remote branch .* not found/i.test(result.stderr)
      ? `tag ${tag} does not exist there`
      : lastLines(result.stderr);
    throw new ActionError(`Could not clone CanvOS ${tag} from ${repository}: ${reason}`);
  }
  return result.stderr;
}

export async function headCommit(dir: string): Promise<string> {
  const result = await git(['rev-parse', 'HEAD'], {}, dir);
  if (result.exitCode !== 0)
    throw new ActionError(`${dir} is not a git checkout: ${lastLines(result.stderr)}`);
  return result.stdout.trim();
}

/** The tag at HEAD of a workflow's own checkout, if it has one. */
export async function describeTag(dir: string): Promise<string | undefined> {
  const result = await git(['describe', '--tags', '--exact-match', 'HEAD'], {}, dir);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Whether HEAD's tree has `path`: read from the trees alone, which a partial clone holds. */
export async function treeHas(dir: string, path: string): Promise<boolean> {
  const result = await git(['ls-tree', '--name-only', 'HEAD', '--', path], {}, dir);
  return result.exitCode === 0 && result.stdout.trim() !== '';
}
