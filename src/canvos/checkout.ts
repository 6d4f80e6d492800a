/**
 * Gets CanvOS: a shallow clone of the resolved tag (for a dry run, only the files the plan reads),
 * or a checkout the workflow already has. Writes the build files into it and, in a workflow's own
 * checkout, remembers what to put back.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import type { CheckoutFile } from '../core/build-files.js';
import {
  exactTag,
  nearestTags,
  parseLsRemoteTags,
  resolveCanvosTag,
  yamlNumberHint,
} from '../core/canvos-tags.js';
import type { CanvosFiles } from '../core/canvos-source.js';
import type { Inputs } from '../core/inputs/types.js';
import type { CanvosCheckout, Plan } from '../core/plan.js';
import { ActionError, InputError, addFailureHint, errorMessage } from '../errors.js';
import { LinkError, assertNoLinks, readInside, replaceFile } from '../lib/safe-files.js';
import { serverUrl } from '../runner.js';
import { type RestoreEntry, saveRestoreEntries } from '../state.js';
import {
  type GitAuth,
  clonePaths,
  cloneTag,
  describeTag,
  headCommit,
  listRemoteTags,
  treeHas,
} from './git.js';

export type CanvosSource = Inputs['canvos'];

/** The files the plan reads: all a dry run needs of CanvOS. */
export const PLAN_FILES = ['Earthfile', 'earthly.sh', 'k8s_version.json'] as const;

/**
 * Resolves the tag and clones it into `tempDir`. `onTag` hears the tag before the clone starts,
 * so work that only needs the tag (the Earthly download) can overlap the clone. With `planFilesOnly`
 * (a dry run) the checkout holds only PLAN_FILES, fetched by a partial clone.
 */
export async function cloneCanvos(
  source: CanvosSource,
  tempDir: string,
  onTag: (tag: string) => void = () => undefined,
  { planFilesOnly = false } = {},
): Promise<CanvosCheckout> {
  const { repository, version, prerelease } = source;
  const auth: GitAuth | undefined = source.token
    ? { token: source.token, serverUrl: serverUrl() }
    : undefined;
  const exact = exactTag(version);
  let tag = exact;
  if (tag) {
    core.info(`CanvOS ${tag} (exact tag, no listing needed)`);
  } else {
    const tags = parseLsRemoteTags(await listRemoteTags(repository, auth));
    const hint = yamlNumberHint(version, tags);
    if (hint) {
      core.warning(hint);
      addFailureHint(hint);
    }
    tag = resolveCanvosTag(version, tags, prerelease);
    core.info(`CanvOS ${JSON.stringify(version)} resolves to ${tag} (${tags.length} tags listed)`);
  }
  onTag(tag);
  const path = join(tempDir, 'canvos');
  let commit: string;
  try {
    if (planFilesOnly) {
      const partial = await clonePaths(repository, tag, path, PLAN_FILES, auth);
      commit = partial.commit;
      core.info(
        partial.filtered
          ? `Fetched ${PLAN_FILES.join(', ')} of ${repository} at ${tag} (${commit}) into ${path}: a dry run reads nothing else`
          : `${repository} does not allow partial clones: fetched the whole tree at ${tag} (${commit}), checked out ${PLAN_FILES.join(', ')} into ${path}`,
      );
    } else {
      commit = await cloneTag(repository, tag, path, auth);
      core.info(`Cloned ${repository} at ${tag} (${commit}) into ${path}`);
    }
  } catch (error) {
    throw (exact && (await missingTag(repository, tag, auth))) || error;
  }
  return { tag, commit, path, repository, files: await readCanvosFiles(path) };
}

/** After a failed clone of an exact tag: an InputError when the repository has no such tag. */
async function missingTag(
  repository: string,
  tag: string,
  auth: GitAuth | undefined,
): Promise<InputError | undefined> {
  const tags = parseLsRemoteTags(await listRemoteTags(repository, auth).catch(() => ''));
  if (tags.length === 0 || tags.includes(tag)) return undefined;
  const nearest = nearestTags(tag, tags);
  return new InputError(
    'canvos-version',
    `${tag} is not a tag of canvos-repository${nearest.length ? `; nearest tags: ${nearest.join(', ')}` : ''}`,
  );
}

/** A checkout the workflow made itself (canvos-path): described by its tag, else its commit. */
export async function useCheckout(path: string): Promise<CanvosCheckout> {
  const commit = await headCommit(path).catch(() => '');
  const tag =
    (commit && (await describeTag(path))) || (commit ? commit.slice(0, 12) : 'local checkout');
  core.info(`Using the CanvOS checkout at ${path} (${tag}${commit ? `, ${commit}` : ''})`);
  return { tag, commit, path, files: await readCanvosFiles(path) };
}

/** The three files the plan reads; a symbolic link among them could lead anywhere: refused. */
export async function readCanvosFiles(dir: string): Promise<CanvosFiles> {
  const read = (name: string) => readInside(dir, name).catch(refuseLink(dir));
  const [earthfile, earthlySh, k8sVersionJson] = await Promise.all(PLAN_FILES.map(read));
  if (earthfile === undefined)
    throw new ActionError(`${dir} has no Earthfile: is it a CanvOS checkout?`);
  return { earthfile, earthlySh, k8sVersionJson };
}

/**
 * Writes the build files into the checkout. In a workflow's own checkout (not cloned here) each
 * file's earlier content is backed up in `tempDir` and recorded before it is overwritten, so the
 * post step can put it back even when this step fails half-way.
 */
export async function writeCheckoutFiles(
  plan: Plan,
  files: CheckoutFile[],
  tempDir: string,
): Promise<void> {
  const ownCheckout = plan.canvosRepository === undefined;
  const restore: RestoreEntry[] = [];
  for (const [index, file] of files.entries()) {
    const path = join(plan.canvosPath, file.path);
    // A link (.arg -> ~/.bashrc, certs -> /etc) would make this write, and the post step's
    // restore, land outside the checkout.
    await assertNoLinks(plan.canvosPath, path).catch(refuseLink(plan.canvosPath));
    if (ownCheckout) {
      const backup = existsSync(path) ? join(tempDir, `backup-${index}`) : undefined;
      if (backup) await copyFile(path, backup);
      restore.push({ path, backup });
      saveRestoreEntries(plan.canvosPath, restore);
    }
    const created = await mkdir(dirname(path), { recursive: true });
    if (ownCheckout && created) {
      // The folders made for it (certs/) go too: the post step removes them once empty.
      for (let dir = dirname(path); dir.startsWith(created); dir = dirname(dir)) {
        restore.push({ path: dir, directory: true });
      }
      saveRestoreEntries(plan.canvosPath, restore);
    }
    await replaceFile(path, file.content);
    core.info(`Wrote ${file.path}`);
  }
  const argFile = files.find((file) => file.path === '.arg');
  if (argFile) core.info(`.arg:\n${argFile.content.trimEnd()}`);
  // CanvOS copies this file only if it exists: a wrong name would be skipped without a word. A dry
  // run's clone has the tag's whole tree, but only PLAN_FILES checked out.
  const customConfig = plan.files.namedCustomConfig;
  const present = async (name: string) =>
    existsSync(join(plan.canvosPath, name)) ||
    (plan.canvosRepository !== undefined && (await treeHas(plan.canvosPath, name)));
  if (customConfig && !(await present(customConfig))) {
    core.warning(
      `EDGE_CUSTOM_CONFIG names ${customConfig}, which is not in the CanvOS checkout: the image gets no custom config`,
    );
  }
}

function refuseLink(dir: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof LinkError) {
      throw new ActionError(
        `The CanvOS checkout ${dir} holds a symbolic link where the action reads or writes: ${error.message}. Replace it with a real file or folder`,
      );
    }
    throw new ActionError(`Could not use the CanvOS checkout ${dir}: ${errorMessage(error)}`);
  };
}
