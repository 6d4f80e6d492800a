import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { exactTag, parseLsRemoteTags, resolveCanvosTag } from './canvos-tags.js';
import type { CanvosFiles } from './canvos-source.js';
import { dockerLogin, dockerRootDir } from './docker.js';
import { diskAdvice, freeBytes } from './disk.js';
import { earthlyArguments, earthlyConfig, earthlyFailure, runEarthly } from './earthly-build.js';
import { installEarthly, redactUrl, type EarthlyInstallation } from './earthly-install.js';
import { ActionError, errorMessage } from './errors.js';
import { type GitAuth, cloneTag, describeTag, headCommit, listRemoteTags } from './git.js';
import { type Arch, type Inputs, type KeyValue, parseInputs } from './inputs.js';
import {
  type CanvosCheckout,
  type Plan,
  DEFAULT_EARTHBUILD_VERSION,
  buildFiles,
  makePlan,
} from './plan.js';
import { lookupDigest, lookupLocalImage } from './registry.js';
import { type ImageResult, type Timing, outputs, setOutputs, summaryMarkdown } from './report.js';
import { type RestoreEntry, State, saveRestoreEntries } from './state.js';

/** Times each phase for the job summary, and shows each as a collapsible log group. */
class Phases {
  readonly timings: Timing[] = [];
  async run<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
    const start = Date.now();
    try {
      return await core.group(phase, async () => work());
    } finally {
      this.timings.push({ phase, ms: Date.now() - start });
    }
  }
}

function runnerContext() {
  return {
    runnerArch: process.env.RUNNER_ARCH,
    serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com',
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    readFile: (path: string) => readFileSync(path, 'utf8'),
    isDirectory: (path: string) => existsSync(path) && statSync(path).isDirectory(),
  };
}

/** Registers every secret with the runner before anything could print it. */
function maskSecrets(inputs: Inputs): void {
  const secrets = [
    inputs.registryAuth?.password,
    inputs.canvos.token,
    ...inputs.secrets.map(([, value]) => value),
  ];
  if (inputs.canvos.token)
    secrets.push(Buffer.from(`x-access-token:${inputs.canvos.token}`).toString('base64'));
  for (const url of [inputs.httpProxy, inputs.httpsProxy]) {
    if (!url) continue;
    const { username, password } = new URL(url);
    if (password) secrets.push(password, decodeURIComponent(password), url);
    else if (username) secrets.push(url);
  }
  for (const secret of secrets) if (secret) core.setSecret(secret);
}

function runnerArch(): Arch {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

function gitAuth(inputs: Inputs): GitAuth | undefined {
  const token = inputs.canvos.token;
  return token
    ? { token, serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com' }
    : undefined;
}

async function readCanvosFiles(dir: string): Promise<CanvosFiles> {
  const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => undefined);
  const [earthfile, earthlySh, k8sVersionJson] = await Promise.all([
    read('Earthfile'),
    read('earthly.sh'),
    read('k8s_version.json'),
  ]);
  if (earthfile === undefined)
    throw new ActionError(`${dir} has no Earthfile: is it a CanvOS checkout?`);
  return { earthfile, earthlySh, k8sVersionJson };
}

async function cloneCanvos(
  inputs: Inputs,
  tempDir: string,
  onTag: (tag: string) => void = () => undefined,
): Promise<CanvosCheckout> {
  const { repository, version, prerelease } = inputs.canvos;
  const auth = gitAuth(inputs);
  let tag = exactTag(version);
  if (tag) {
    core.info(`CanvOS ${tag} (exact tag, no listing needed)`);
  } else {
    const tags = parseLsRemoteTags(await listRemoteTags(repository, auth));
    tag = resolveCanvosTag(version, tags, prerelease);
    core.info(`CanvOS ${JSON.stringify(version)} resolves to ${tag} (${tags.length} tags listed)`);
  }
  onTag(tag); // known before the clone: lets the Earthly download start now
  const path = join(tempDir, 'canvos');
  const commit = await cloneTag(repository, tag, path, auth);
  core.info(`Cloned ${repository} at ${tag} (${commit}) into ${path}`);
  return { tag, commit, path, files: await readCanvosFiles(path) };
}

async function useCheckout(path: string): Promise<CanvosCheckout> {
  const commit = await headCommit(path).catch(() => '');
  const tag =
    (commit && (await describeTag(path))) || (commit ? commit.slice(0, 12) : 'local checkout');
  core.info(`Using the CanvOS checkout at ${path} (${tag}${commit ? `, ${commit}` : ''})`);
  return { tag, commit, path, files: await readCanvosFiles(path) };
}

function logPlan(plan: Plan): void {
  core.info(`CanvOS:           ${plan.canvosVersion} (${plan.canvosCommit || 'no commit'})`);
  core.info(`PE_VERSION:       ${plan.peVersion}`);
  core.info(`Earthly:          ${plan.earthly.version} (${plan.earthly.distribution})`);
  if (plan.earthly.buildkitImage) core.info(`BuildKit image:   ${plan.earthly.buildkitImage}`);
  core.info(`Kubernetes:       ${plan.k8sVersions.join(', ')}`);
  for (const image of plan.images) core.info(`Image:            ${image.ref}`);
}

/** Writes the build files into the checkout; in a workflow's own checkout, remembers what to put back. */
async function writeBuildFiles(
  inputs: Inputs,
  checkout: CanvosCheckout,
  versions: string[],
  tempDir: string,
  ownCheckout: boolean,
): Promise<ReturnType<typeof buildFiles>> {
  const build = buildFiles(inputs, checkout, versions);
  const restore: RestoreEntry[] = [];
  for (const [index, file] of build.files.entries()) {
    const path = join(checkout.path, file.path);
    if (ownCheckout) {
      const backup = existsSync(path) ? join(tempDir, `backup-${index}`) : undefined;
      if (backup) await copyFile(path, backup);
      restore.push({ path, backup });
      saveRestoreEntries(restore);
    }
    const created = await mkdir(dirname(path), { recursive: true });
    if (ownCheckout && created) {
      // The folders made for it (certs/) go too: the post step removes them once empty.
      for (let dir = dirname(path); dir.startsWith(created); dir = dirname(dir)) {
        restore.push({ path: dir, directory: true });
      }
      saveRestoreEntries(restore);
    }
    await writeFile(path, file.content);
    core.info(`Wrote ${file.path}`);
  }
  const argFile = build.files.find((file) => file.path === '.arg');
  if (argFile) core.info(`.arg:\n${argFile.content.trimEnd()}`);
  // CanvOS copies this file only if it exists: a wrong name would be skipped without a word.
  const customConfig = inputs.buildArgs.find(([key]) => key === 'EDGE_CUSTOM_CONFIG')?.[1];
  if (customConfig && !existsSync(join(checkout.path, customConfig))) {
    core.warning(
      `EDGE_CUSTOM_CONFIG names ${customConfig}, which is not in the CanvOS checkout: the image gets no custom config`,
    );
  }
  return build;
}

async function diskPreflight(inputs: Inputs, imageCount: number): Promise<void> {
  if (inputs.diskCheck === 'off' || inputs.earthly.buildkitHost || imageCount === 0) return;
  const root = (await dockerRootDir()) ?? '/var/lib/docker';
  const free = await freeBytes(root);
  if (free === undefined)
    return core.info(`Could not measure free disk at ${root}; skipping the disk check`);
  const advice = diskAdvice(root, free, imageCount);
  if (!advice) return core.info(`Disk: ${(free / 1024 ** 3).toFixed(1)} GiB free at ${root}`);
  if (inputs.diskCheck === 'error') throw new ActionError(`Not enough disk: ${advice}`);
  core.warning(advice);
}

/** The environment Earthly runs in: the runner's, without the action's inputs, plus the secrets. */
function earthlyEnv(inputs: Inputs): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('INPUT_') && !key.startsWith('STATE_'))
      env[key] = value;
  }
  for (const [key, value] of inputs.secrets) env[key] = value;
  return env;
}

async function verify(inputs: Inputs, images: ImageResult[]): Promise<void> {
  const missing: string[] = [];
  for (const image of images) {
    if (image.skipped) continue;
    if (inputs.push) {
      image.digest = await lookupDigest(image.ref, { credentials: inputs.registryAuth });
      image.pushed = image.digest !== undefined;
      image.status = 'pushed';
    } else {
      image.imageId = await lookupLocalImage(image.ref);
      image.status = 'built';
    }
    const found = image.digest ?? image.imageId;
    if (!found) missing.push(image.ref);
    else core.info(`${image.ref}${image.digest ? '@' : ' image id '}${found}`);
  }
  if (missing.length) {
    const where = inputs.push ? 'in the registry' : 'in the local Docker';
    throw new ActionError(
      `Earthly succeeded but these images are not ${where}: ${missing.join(', ')}`,
    );
  }
}

/**
 * Downloads Earthly in the background from the moment its version is known, so the download
 * overlaps the clone and the other preparations; the build awaits it.
 */
class EarthlyDownload {
  // Keyed by version: a speculative start on the likely pin must not stand in for another version.
  private readonly pending = new Map<string, Promise<EarthlyInstallation>>();
  constructor(private readonly inputs: Inputs) {}

  /** An exact version, or the fork's under `auto`, is known up front: download it during the clone. */
  startKnownVersion(): void {
    const { version, distribution } = this.inputs.earthly;
    if (version !== 'auto') this.start(version);
    else if (distribution === 'earthbuild' && !this.inputs.skipExisting) {
      this.start(DEFAULT_EARTHBUILD_VERSION);
    }
  }

  /** `auto` upstream: once the tag is known, start on the pin it most likely has, during the clone. */
  startLikelyPin(tag: string): void {
    const { version, distribution } = this.inputs.earthly;
    if (version !== 'auto' || distribution !== 'earthly' || this.inputs.skipExisting) return;
    const likely = likelyEarthlyPin(tag);
    if (likely) this.start(likely);
  }

  start(version: string): void {
    if (this.pending.has(version) || this.inputs.dryRun) return;
    const install = installEarthly({
      version,
      distribution: this.inputs.earthly.distribution,
      arch: runnerArch(), // Earthly runs on the runner; the images may be for another arch
      downloadUrlTemplate: this.inputs.earthly.downloadUrl,
      sha256: this.inputs.earthly.sha256,
    });
    install.catch(() => undefined); // awaited later; an early failure must not go unhandled
    this.pending.set(version, install);
  }

  async installation(version: string): Promise<EarthlyInstallation> {
    this.start(version);
    const installation = await this.pending.get(version)!;
    const cached = installation.cacheHit ? ' (cached)' : '';
    core.info(`Earthly ${installation.version} at ${installation.binary}${cached}`);
    return installation;
  }
}

/**
 * The Earthly that CanvOS's earthly.sh most likely pins at `tag` (v0.8.15 from v4.5 on, v0.8.5 on
 * v4.3-v4.4, v0.7.4 before), so `auto` can start downloading while the clone runs. The real pin
 * is read after the clone; a wrong guess costs one extra download, never a wrong binary.
 */
function likelyEarthlyPin(tag: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\.\d+/.exec(tag);
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > 4 || (major === 4 && minor >= 5)) return 'v0.8.15';
  if (major === 4 && minor >= 3) return 'v0.8.5';
  return 'v0.7.4';
}

async function login(inputs: Inputs, host: string): Promise<void> {
  const { username, password } = inputs.registryAuth!;
  await dockerLogin(host, username, password);
  core.saveState(State.registryHost, host);
  core.info(`Logged in to ${host} as ${username}`);
}

/** Marks the images already in the registry as skipped, with their digests. */
async function markExisting(inputs: Inputs, images: ImageResult[]): Promise<void> {
  for (const image of images) {
    // A lookup that fails (e.g. a package that does not exist yet answers 401) means: build it.
    const digest = await lookupDigest(image.ref, { credentials: inputs.registryAuth }).catch(
      (error) => {
        core.warning(
          `Could not tell whether ${image.ref} exists (${errorMessage(error)}): building it`,
        );
        return undefined;
      },
    );
    if (!digest) continue;
    Object.assign(image, { digest, skipped: true, status: 'skipped' });
    core.info(`${image.ref} already exists (${digest}): skipping`);
  }
}

async function build(
  inputs: Inputs,
  plan: Plan,
  installation: EarthlyInstallation,
  commandLineArgs: KeyValue[],
  tempDir: string,
): Promise<void> {
  const configPath = join(tempDir, 'earthly-config.yml');
  await writeFile(configPath, earthlyConfig(inputs.earthly.config));
  const options = {
    push: inputs.push,
    configPath,
    buildkitImage: plan.earthly.buildkitImage,
    buildkitHost: inputs.earthly.buildkitHost,
    remoteCache: inputs.earthly.remoteCache,
    secretNames: inputs.secrets.map(([key]) => key),
    extraArgs: inputs.earthly.args,
    buildArgs: commandLineArgs,
  };
  const args = earthlyArguments(options);
  // The command-line build args are proxy URLs with credentials: masked, but not left to masking.
  const redacted = commandLineArgs.map(([key, url]) => [key, redactUrl(url)] as const);
  const shown = earthlyArguments({ ...options, buildArgs: redacted });
  core.info(`[command] ${installation.command} ${shown.join(' ')}`);
  const result = await runEarthly(installation.binary, args, {
    cwd: plan.canvosPath,
    env: earthlyEnv(inputs),
  });
  if (result.exitCode !== 0) throw earthlyFailure(result);
}

export async function run(): Promise<void> {
  core.saveState(State.isPost, 'true');
  const phases = new Phases();
  const inputs = await phases.run('Inputs', () =>
    parseInputs((name) => core.getInput(name), runnerContext()),
  );
  maskSecrets(inputs);
  const tempDir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'canvos-action-'));
  core.saveState(State.tempDir, tempDir);

  const earthly = new EarthlyDownload(inputs);
  earthly.startKnownVersion();
  const ownCheckout = inputs.canvos.path !== undefined;
  const checkout = await phases.run('CanvOS checkout', () =>
    ownCheckout
      ? useCheckout(inputs.canvos.path!)
      : cloneCanvos(inputs, tempDir, (tag) => earthly.startLikelyPin(tag)),
  );
  const plan = await phases.run('Plan', () => {
    const plan = makePlan(inputs, checkout);
    logPlan(plan);
    return plan;
  });
  // With skip-existing the download waits for the registry lookups: a re-run may build nothing.
  if (!inputs.skipExisting) earthly.start(plan.earthly.version);

  const images: ImageResult[] = plan.images.map((image) => ({
    ...image,
    pushed: false,
    skipped: false,
    status: 'planned',
  }));
  if (!inputs.dryRun && inputs.registryAuth) {
    await phases.run('Registry login', () => login(inputs, plan.images[0].registry));
  } else if (!inputs.dryRun && inputs.push) {
    core.info(
      'No registry-username given: relying on an earlier docker login (e.g. docker/login-action)',
    );
  }
  if (!inputs.dryRun && inputs.skipExisting && inputs.push) {
    await phases.run('Existing images', () => markExisting(inputs, images));
  }

  const toBuild = images.filter((image) => !image.skipped);
  const versions = toBuild.length ? toBuild.map((image) => image.k8sVersion) : plan.k8sVersions;
  const files = await phases.run('Build files', () =>
    writeBuildFiles(inputs, checkout, versions, tempDir, ownCheckout),
  );

  if (inputs.dryRun) {
    core.info('Dry run: nothing installed, built or pushed');
  } else if (toBuild.length === 0) {
    core.info('Every image already exists: nothing to build');
  } else {
    await phases.run('Disk check', () => diskPreflight(inputs, toBuild.length));
    const installation = await phases.run('Install Earthly', () =>
      earthly.installation(plan.earthly.version),
    );
    await phases.run('Build', () =>
      build(inputs, plan, installation, files.commandLineArgs, tempDir),
    );
    await phases.run('Verify', () => verify(inputs, images));
  }

  setOutputs(outputs(plan, images));
  const markdown = summaryMarkdown(plan, images, phases.timings, {
    repository: ownCheckout ? undefined : inputs.canvos.repository,
    dryRun: inputs.dryRun,
  });
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}
