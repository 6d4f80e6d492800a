// The whole end-to-end harness in one object: Docker engine, registry, git server with a
// CanvOS-shaped repo, Earthly release server, and a scratch directory, all on 127.0.0.1.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureDockerd, listImages, removeImages, type Dockerd } from './dockerd.js';
import { exec } from './processes.js';
import { startRegistry, type Registry, type RegistryOptions } from './registry.js';
import { startGitServer, type GitServer } from './git-server.js';
import {
  DEFAULT_VERSIONS,
  startReleaseServer,
  type ReleaseServer,
  type ReleaseServerOptions,
} from './release-server.js';
import { fixtureBuildkitMirrors, makeCanvosRepo, type CanvosRepo } from './canvos-fixture.js';
import { HOST_PLATFORM, seedImages } from './images.js';
import { HARNESS_GITHUB_TOKEN } from './runner.js';
import { readStandinLog, standinBuildkitImage, type StandinInvocation } from './standin.js';

export * from './canvos-fixture.js';
export * from './dockerd.js';
export * from './git-server.js';
export * from './images.js';
export * from './net.js';
export * from './processes.js';
export * from './registry.js';
export * from './release-server.js';
export * from './runner.js';
export * from './standin.js';

/** Where the fixture lives on the git server. */
export const CANVOS_REPO_NAME = 'spectrocloud/CanvOS';
/** The same repo behind token auth (a private fork). */
export const PRIVATE_CANVOS_REPO_NAME = 'private/CanvOS';

export interface HarnessOptions {
  /** Scratch directory (default: a new temp dir, removed by stop()). */
  workDir?: string;
  /** Use this Docker engine instead of ensureDockerd() ('' or undefined: ensureDockerd()). */
  dockerHost?: string;
  registry?: RegistryOptions;
  releases?: ReleaseServerOptions;
  /** Token the private repo accepts (default: the runner's github.token). */
  gitToken?: string;
}

export interface Harness {
  dockerHost: string;
  registry: Registry;
  git: GitServer;
  releases: ReleaseServer;
  canvos: CanvosRepo & { url: string; privateUrl: string; repoName: string };
  workDir: string;
  /** $STANDIN_EARTHLY_LOG for runs under this harness. */
  standinLog: string;
  /** The environment a run needs (DOCKER_HOST, STANDIN_EARTHLY_LOG), plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** A fresh directory for one job (runAction's workDir). */
  jobDir(name?: string): string;
  /** Stand-in earthly invocations logged so far. */
  invocations(): StandinInvocation[];
  /**
   * A `--depth 1` clone of a fixture tag (or branch) into `dest` (default: a fresh job dir), from
   * the CanvOS fixture, its private twin, or `url`.
   * Async on purpose: the servers are on a worker thread, but prefer this over execFileSync.
   */
  clone(ref: string, opts?: { dest?: string; private?: boolean; url?: string }): Promise<string>;
  /** Local images under the registry's host, i.e. what builds exported to Docker. */
  localImages(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface CanvosGit {
  git: GitServer;
  canvos: Harness['canvos'];
}

/**
 * The git server alone, serving the CanvOS fixture as spectrocloud/CanvOS and, behind token auth
 * (`token`), as private/CanvOS: all a clone or a dry run needs.
 */
export async function startCanvosGit(workDir: string, token: string): Promise<CanvosGit> {
  const gitRoot = join(workDir, 'git');
  const bareDir = join(gitRoot, `${CANVOS_REPO_NAME}.git`);
  const repo = await makeCanvosRepo(join(workDir, 'fixture'), { bareDir });
  const privateDir = join(gitRoot, `${PRIVATE_CANVOS_REPO_NAME}.git`);
  mkdirSync(dirname(privateDir), { recursive: true });
  symlinkSync(bareDir, privateDir);
  const git = await startGitServer(gitRoot);
  git.setToken(token);
  return {
    git,
    canvos: {
      ...repo,
      repoName: CANVOS_REPO_NAME,
      url: git.url(CANVOS_REPO_NAME),
      privateUrl: git.url(PRIVATE_CANVOS_REPO_NAME),
    },
  };
}

/**
 * `git clone --branch <ref>` (shallow with `depth`), as a workflow's own checkout step would make
 * it: no prompts, no system config, `home` as HOME, `header` as an extra HTTP header.
 */
export async function gitClone(
  url: string,
  ref: string,
  dest: string,
  opts: { depth?: number; header?: string; home?: string } = {},
): Promise<void> {
  await exec(
    'git',
    [
      ...(opts.header ? ['-c', `http.extraheader=${opts.header}`] : []),
      'clone',
      '-q',
      '-c',
      'advice.detachedHead=false',
      ...(opts.depth ? ['--depth', String(opts.depth)] : []),
      '--branch',
      ref,
      url,
      dest,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: opts.home ?? dirname(dest),
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    },
  );
}

/**
 * Every BuildKit image a stand-in may start here: each release's default, and CanvOS's mirror of
 * each pin the fixture's earthly.sh files name.
 */
export function buildkitImages(): string[] {
  const versions = [...new Set([...DEFAULT_VERSIONS.earthly, ...DEFAULT_VERSIONS.earthbuild])];
  return [
    ...versions.map((v) => standinBuildkitImage(v, 'earthly')),
    ...versions.map((v) => standinBuildkitImage(v, 'earth')),
    ...fixtureBuildkitMirrors(),
  ];
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const ownWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'canvos-harness-'));
  mkdirSync(workDir, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    // Reverse start order; keep going past failures so nothing is left running.
    const errors: unknown[] = [];
    for (const s of stoppers.splice(0).reverse()) await s().catch((e) => errors.push(e));
    if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
    if (errors.length) throw errors[0];
  };

  try {
    let dockerd: Dockerd | undefined;
    const dockerHost = opts.dockerHost || (dockerd = await ensureDockerd()).host;
    if (dockerd?.started) stoppers.push(() => dockerd.stop());

    // Give Docker the BuildKit images Earthly starts, while the three servers start side by side;
    // whatever did start is stopped if one fails.
    const seeding = seedImages(dockerHost, buildkitImages(), HOST_PLATFORM).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const started = await Promise.allSettled([
      startCanvosGit(workDir, opts.gitToken ?? HARNESS_GITHUB_TOKEN),
      startRegistry(opts.registry),
      startReleaseServer(opts.releases),
    ]);
    for (const s of started) {
      if (s.status !== 'fulfilled') continue;
      const server = 'git' in s.value ? s.value.git : s.value;
      stoppers.push(() => server.stop());
    }
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const seedError = await seeding;
    if (seedError) throw seedError;
    const [{ git, canvos }, registry, releases] = started.map(
      (s) => (s as PromiseFulfilledResult<unknown>).value,
    ) as [CanvosGit, Registry, ReleaseServer];
    // Images the builds exported locally are named after this registry; clear them at the end.
    stoppers.push(async () =>
      removeImages(dockerHost, await listImages(dockerHost, `${registry.host}/`)),
    );

    const standinLog = join(workDir, 'standin-earthly.log');
    let jobs = 0;
    const jobDir = (name = 'job'): string => {
      const dir = join(workDir, 'jobs', `${String(++jobs).padStart(2, '0')}-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    return {
      dockerHost,
      registry,
      git,
      releases,
      canvos,
      workDir,
      standinLog,
      env: (extra = {}) => ({ DOCKER_HOST: dockerHost, STANDIN_EARTHLY_LOG: standinLog, ...extra }),
      jobDir,
      invocations: () => readStandinLog(standinLog),
      async clone(ref, cloneOpts = {}) {
        const dest = cloneOpts.dest ?? join(jobDir(`clone-${ref.replace(/\W+/g, '_')}`), 'CanvOS');
        const url =
          cloneOpts.url ??
          (cloneOpts.private ? git.url(PRIVATE_CANVOS_REPO_NAME) : git.url(CANVOS_REPO_NAME));
        const auth = Buffer.from(
          `x-access-token:${opts.gitToken ?? HARNESS_GITHUB_TOKEN}`,
        ).toString('base64');
        const header = cloneOpts.private ? `AUTHORIZATION: basic ${auth}` : undefined;
        await gitClone(url, ref, dest, { depth: 1, header, home: workDir });
        return dest;
      },
      localImages: () => listImages(dockerHost, `${registry.host}/`),
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** Inputs for a real build and push of CanvOS v4.9.38 with a docker login; extras override them. */
export function buildInputs(
  h: Harness,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'canvos-repository': h.canvos.url,
    'canvos-version': 'v4.9.38',
    'image-registry': `${h.registry.host}/edge`,
    'earthly-download-url': h.releases.downloadUrlTemplate,
    'registry-username': h.registry.username,
    'registry-password': h.registry.password,
    ...extra,
  };
}
