// Bare git repositories shaped like spectrocloud/CanvOS: the tag zoo (annotated and lightweight,
// pre-releases, letter and archive tags, tags off `main` on release branches) with just the files
// the action reads: Earthfile, earthly.sh, k8s_version.json, .arg.template.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { exec } from './processes.js';

export type CertsStyle = 'certs-dir' | 'proxy-cert-path';

export interface FixtureTag {
  peVersion: string;
  earthlyVersion: string;
  certsStyle: CertsStyle;
  annotated: boolean;
  branch: string;
  /** The CanvOS tag whose real k8s_version.json this tag carries. */
  k8sVersionsFrom: string;
  /**
   * How the Earthfile reads UBUNTU_PRO_KEY: `ARG UBUNTU_PRO_KEY` up to v4.9.x, an Earthly secret
   * (`RUN --secret UBUNTU_PRO_KEY`, only with UBUNTU_PRO_ATTACH=true) from v4.10.0 on
   * (spectrocloud/CanvOS Earthfile at v4.9.38 and v4.10.0).
   */
  proKeySecret?: boolean;
}

const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

/** What the fixture repo contains, for assertions. Tags listed in creation (date) order. */
export const CANVOS_FIXTURE = {
  defaultBranch: 'main',
  releaseBranches: ['release-4.4', 'release-4.9', 'release-4.10'],
  tags: {
    'archive/v3.0.0': tag('v3.0.0', 'v0.7.4', 'proxy-cert-path', true, 'main', 'v4.4.12'),
    'v4.4.12': tag('v4.4.12', 'v0.8.5', 'proxy-cert-path', false, 'release-4.4', 'v4.4.12'),
    'v4.8.a': tag('v4.8.1', 'v0.8.15', 'certs-dir', false, 'main', 'v4.9.38'),
    'v4.9.38': tag('v4.9.38', 'v0.8.15', 'certs-dir', true, 'release-4.9', 'v4.9.38'),
    'v4.10.0-rc.10': {
      ...tag('v4.10.0-rc.10', 'v0.8.15', 'certs-dir', true, 'release-4.10', 'v4.10.0-rc.10'),
      proKeySecret: true,
    },
    // The Earthfile at v4.10.0 really says v4.9.21: PE_VERSION is not the tag name.
    'v4.10.0': {
      ...tag('v4.9.21', 'v0.8.15', 'certs-dir', true, 'release-4.10', 'v4.10.0-rc.10'),
      proKeySecret: true,
    },
    'v4.10.1-rc.1': {
      ...tag('v4.10.1-rc.1', 'v0.8.15', 'certs-dir', true, 'release-4.10', 'v4.10.0-rc.10'),
      proKeySecret: true,
    },
    // Created last, so the newest tag by date is not the newest by semver.
    'v4.9.40': tag('v4.9.40', 'v0.8.15', 'certs-dir', false, 'release-4.9', 'v4.9.38'),
  } satisfies Record<string, FixtureTag>,
  latestStable: 'v4.10.0',
  latestWithPrereleases: 'v4.10.1-rc.1',
  /** Newest tag by creation date (a trap for date ordering). */
  newestByDate: 'v4.9.40',
  /** Semver range → the tag it must resolve to (pre-releases excluded). */
  ranges: {
    latest: 'v4.10.0',
    '~4.9': 'v4.9.40',
    '^4': 'v4.10.0',
    '>=4.8 <4.10': 'v4.9.40',
    '4.4': 'v4.4.12',
  } as Record<string, string>,
  prereleases: ['v4.10.0-rc.10', 'v4.10.1-rc.1'],
  nonSemver: ['v4.8.a', 'archive/v3.0.0'],
  /** PE_VERSION and earthly pin of the `main` tip (not a release). */
  mainTip: { peVersion: 'v4.11.0-dev', earthlyVersion: 'v0.8.15' },
} as const;

export type FixtureTagName = keyof typeof CANVOS_FIXTURE.tags;

function tag(
  peVersion: string,
  earthlyVersion: string,
  certsStyle: CertsStyle,
  annotated: boolean,
  branch: string,
  k8sVersionsFrom: string,
): FixtureTag {
  return { peVersion, earthlyVersion, certsStyle, annotated, branch, k8sVersionsFrom };
}

/** CanvOS's real k8s_version.json at one of the three recorded tags. */
export function k8sVersionsJson(canvosTag: string): string {
  return readFileSync(new URL(`k8s_version.${canvosTag}.json`, FIXTURES_DIR), 'utf8');
}

/** An Earthfile with CanvOS's global ARGs and target names (no real build steps). */
export function earthfile(peVersion: string, certsStyle: CertsStyle, proKeySecret = false): string {
  const modern = certsStyle === 'certs-dir';
  return [
    modern ? 'VERSION --arg-scope-and-set --shell-out-anywhere 0.6' : 'VERSION 0.6',
    'ARG TARGETOS',
    'ARG TARGETARCH',
    '',
    '# Default image repositories used in the builds.',
    modern
      ? 'ARG SPECTRO_PUB_REPO=us-docker.pkg.dev/palette-images'
      : 'ARG SPECTRO_PUB_REPO=gcr.io/spectro-images-public',
    'ARG ALPINE_TAG=3.20',
    'ARG ALPINE_IMG=$SPECTRO_PUB_REPO/edge/canvos/alpine:$ALPINE_TAG',
    'FROM $ALPINE_IMG',
    '',
    '# Spectro Cloud and Kairos tags.',
    `ARG PE_VERSION=${peVersion}`,
    'ARG KAIROS_VERSION=v4.0.4',
    'ARG K3S_FLAVOR_TAG=k3s1',
    'ARG RKE2_FLAVOR_TAG=rke2r1',
    '',
    '# Variables used in the builds. Set them in .arg or as build args.',
    'ARG OS_DISTRIBUTION',
    'ARG OS_VERSION',
    'ARG K8S_VERSION',
    'ARG IMAGE_REGISTRY',
    'ARG IMAGE_REPO=$OS_DISTRIBUTION',
    'ARG ISO_NAME=installer',
    'ARG K8S_DISTRIBUTION',
    'ARG CUSTOM_TAG',
    'ARG CLUSTERCONFIG',
    'ARG EDGE_CUSTOM_CONFIG=.edge-custom-config.yaml',
    'ARG ARCH',
    'ARG DISABLE_SELINUX=true',
    'ARG CIS_HARDENING=false',
    proKeySecret ? 'ARG UBUNTU_PRO_ATTACH=false' : 'ARG UBUNTU_PRO_KEY',
    'ARG FIPS_ENABLED=false',
    'ARG UPDATE_KERNEL=false',
    'ARG TWO_NODE=false',
    'ARG IS_UKI=false',
    '',
    'ARG HTTP_PROXY',
    'ARG HTTPS_PROXY',
    'ARG NO_PROXY',
    'ARG http_proxy=${HTTP_PROXY}',
    'ARG https_proxy=${HTTPS_PROXY}',
    'ARG no_proxy=${NO_PROXY}',
    ...(modern ? [] : ['ARG PROXY_CERT_PATH']),
    '',
    'IF [ "$CUSTOM_TAG" != "" ]',
    '    ARG IMAGE_TAG=$PE_VERSION-$CUSTOM_TAG',
    'ELSE',
    '    ARG IMAGE_TAG=$PE_VERSION',
    'END',
    '',
    'ARG IMAGE_PATH=$IMAGE_REGISTRY/$IMAGE_REPO:$K8S_DISTRIBUTION-$K8S_VERSION-$IMAGE_TAG',
    '',
    'build-provider-images:',
    '    FROM $ALPINE_IMG',
    '    IF [ !-n "$K8S_DISTRIBUTION"]',
    '        RUN echo "K8S_DISTRIBUTION is not set." && exit 1',
    '    END',
    '    IF [ "$K8S_VERSION" = "" ]',
    '        COPY k8s_version.json k8s_version.json',
    '        RUN jq -r --arg key "$K8S_DISTRIBUTION" \'if .[$key] then .[$key][] else empty end\' k8s_version.json > k8s_version.txt',
    '        FOR version IN $(cat k8s_version.txt)',
    '            BUILD +provider-image --K8S_VERSION=$version',
    '        END',
    '    ELSE',
    '        BUILD +provider-image --K8S_VERSION=$K8S_VERSION',
    '    END',
    '',
    'provider-image:',
    '    FROM --platform=linux/${ARCH} +base-image',
    ...(proKeySecret
      ? [
          '    IF [ "$UBUNTU_PRO_ATTACH" = "true" ]',
          '        RUN --secret UBUNTU_PRO_KEY printf \'token: %s\\n\' "$UBUNTU_PRO_KEY" > /tmp/.pro-attach.yaml',
          '    END',
        ]
      : ['    IF [ ! -z "$UBUNTU_PRO_KEY" ]', '        RUN pro attach $UBUNTU_PRO_KEY', '    END']),
    '    COPY --if-exists "$EDGE_CUSTOM_CONFIG" /oem/.edge_custom_config.yaml',
    '    SAVE IMAGE --push $IMAGE_PATH',
    '',
    'base-image:',
    '    FROM DOCKERFILE --build-arg BASE=$BASE_IMAGE .',
    '    DO +BASE_ALPINE',
    '',
    'BASE_ALPINE:',
    '    COMMAND',
    ...(modern
      ? ['    COPY --if-exists certs/ /etc/ssl/certs/']
      : ['    IF [ ! -z $PROXY_CERT_PATH ]', '        COPY sc.crt /etc/ssl/certs', '    END']),
    '    RUN update-ca-certificates',
    '',
  ].join('\n');
}

/** The BuildKit mirror images the fixture's earthly.sh files name, their variables filled in. */
export function fixtureBuildkitMirrors(): string[] {
  const images = Object.values(CANVOS_FIXTURE.tags).map((t) =>
    t.certsStyle === 'certs-dir'
      ? `us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:${t.earthlyVersion}`
      : `gcr.io/spectro-images-public/earthly/buildkitd:${t.earthlyVersion}`,
  );
  return [...new Set(images)];
}

/** An earthly.sh carrying the pins the action reads (SPECTRO_PUB_REPO, EARTHLY_VERSION). */
export function earthlySh(earthlyVersion: string, certsStyle: CertsStyle): string {
  const modern = certsStyle === 'certs-dir';
  const repo = modern ? 'us-docker.pkg.dev/palette-images' : 'gcr.io/spectro-images-public';
  const buildkitd = modern
    ? '"$SPECTRO_PUB_REPO"/third-party/edge/earthly/buildkitd:"$EARTHLY_VERSION"'
    : '$SPECTRO_PUB_REPO/earthly/buildkitd:$EARTHLY_VERSION';
  const earthly = modern
    ? '"$SPECTRO_PUB_REPO"/third-party/edge/earthly/earthly:"$EARTHLY_VERSION"'
    : '$SPECTRO_PUB_REPO/earthly/earthly:$EARTHLY_VERSION';
  return [
    '#!/bin/bash',
    '# Harness fixture: the shape of CanvOS earthly.sh (runs Earthly in Docker with a pinned version).',
    '',
    'function build_with_proxy() {',
    '    docker run -d --privileged --name earthly-buildkitd --rm -t \\',
    '        -e BUILDKIT_TCP_TRANSPORT_ENABLED=true -p 8372:8372 \\',
    `        ${buildkitd}`,
    '    docker run --privileged --rm -t -e EARTHLY_BUILDKIT_HOST=tcp://0.0.0.0:8372 \\',
    `        -v "$(pwd)":/workspace ${earthly} --allow-privileged "$@"`,
    '}',
    '',
    'function build_without_proxy() {',
    `    docker run --privileged --rm -t -v "$(pwd)":/workspace ${earthly} --allow-privileged "$@"`,
    '}',
    '',
    'global_config="{disable_analytics: true}"',
    'PE_VERSION=$(git describe --abbrev=0 --tags)',
    `SPECTRO_PUB_REPO=${repo}`,
    `EARTHLY_VERSION=${earthlyVersion}`,
    'source .arg',
    '',
    'if [ -z "$HTTP_PROXY" ] && [ -z "$HTTPS_PROXY" ]; then',
    '    build_without_proxy "$@"',
    'else',
    '    build_with_proxy "$@"',
    'fi',
    '',
  ].join('\n');
}

export const ARG_TEMPLATE = [
  'CUSTOM_TAG=demo',
  'IMAGE_REGISTRY=ttl.sh',
  'OS_DISTRIBUTION=ubuntu',
  'IMAGE_REPO=$OS_DISTRIBUTION',
  'OS_VERSION=22.04',
  'K8S_DISTRIBUTION=k3s',
  'ISO_NAME=palette-edge-installer',
  'ARCH=amd64',
  'HTTPS_PROXY=',
  'HTTP_PROXY=',
  'UPDATE_KERNEL=false',
  'CLUSTERCONFIG=spc.tgz',
  'CIS_HARDENING=false',
  'EDGE_CUSTOM_CONFIG=.edge-custom-config.yaml',
  '',
  '# If you have Ubuntu Pro, pass UBUNTU_PRO_KEY as a secret, not here.',
  '',
].join('\n');

/** The files of one CanvOS release commit. */
export function releaseFiles(
  t: Pick<
    FixtureTag,
    'peVersion' | 'earthlyVersion' | 'certsStyle' | 'k8sVersionsFrom' | 'proKeySecret'
  >,
): Record<string, string> {
  return {
    Earthfile: earthfile(t.peVersion, t.certsStyle, t.proKeySecret),
    'earthly.sh': earthlySh(t.earthlyVersion, t.certsStyle),
    'k8s_version.json': k8sVersionsJson(t.k8sVersionsFrom),
    '.arg.template': ARG_TEMPLATE,
    'README.md': `# CanvOS (harness fixture)\n\nPE ${t.peVersion}\n`,
  };
}

const AUTHOR = { name: 'CanvOS Fixture', email: 'fixture@canvos.invalid' };
const EPOCH = 1_700_000_000;

/** Environment for deterministic, config-independent git commands. */
function gitEnv(date: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: AUTHOR.name,
    GIT_AUTHOR_EMAIL: AUTHOR.email,
    GIT_COMMITTER_NAME: AUTHOR.name,
    GIT_COMMITTER_EMAIL: AUTHOR.email,
    GIT_AUTHOR_DATE: `${date} +0000`,
    GIT_COMMITTER_DATE: `${date} +0000`,
  };
}

export interface CanvosRepo {
  bareDir: string;
  tags: Record<string, { commit: string; peVersion: string; earthlyVersion: string }>;
  /** Commit of each branch tip. */
  branches: Record<string, string>;
}

/**
 * Builds the CanvOS-shaped bare repo at `opts.bareDir` (default `<dir>/CanvOS.git`).
 * Deterministic: the same commit ids every time.
 */
export async function makeCanvosRepo(
  dir: string,
  opts: { bareDir?: string } = {},
): Promise<CanvosRepo> {
  const bareDir = opts.bareDir ?? join(dir, 'CanvOS.git');
  const work = join(dir, `.canvos-work-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  rmSync(bareDir, { recursive: true, force: true });
  let clock = EPOCH;
  const git = async (...args: string[]): Promise<string> =>
    (await exec('git', args, { cwd: work, env: gitEnv(clock) })).stdout.trim();

  const commit = async (files: Record<string, string>, message: string): Promise<string> => {
    clock += 3_600;
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
    await git('add', '-A');
    await git('commit', '-q', '--no-gpg-sign', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const tagCommit = async (name: string, annotated: boolean): Promise<void> => {
    clock += 60;
    if (annotated) await git('tag', '-a', name, '-m', `CanvOS ${name}`);
    else await git('tag', name);
  };
  const release = async (name: FixtureTagName): Promise<void> => {
    const t: FixtureTag = CANVOS_FIXTURE.tags[name];
    await commit(releaseFiles(t), `Release ${name}`);
    await tagCommit(name, t.annotated);
  };

  try {
    await exec('git', ['-c', 'init.defaultBranch=main', 'init', '-q', work], {
      env: gitEnv(clock),
    });
    await release('archive/v3.0.0');
    await git('checkout', '-q', '-b', 'release-4.4');
    await release('v4.4.12');
    await git('checkout', '-q', 'main');
    await release('v4.8.a');
    await git('checkout', '-q', '-b', 'release-4.9');
    await release('v4.9.38');
    await git('checkout', '-q', 'main');
    await commit({ 'README.md': '# CanvOS (harness fixture)\n\n4.10 development\n' }, 'Start 4.10');
    await git('checkout', '-q', '-b', 'release-4.10');
    await release('v4.10.0-rc.10');
    await release('v4.10.0');
    await release('v4.10.1-rc.1');
    await git('checkout', '-q', 'release-4.9');
    await release('v4.9.40');
    await git('checkout', '-q', 'main');
    const tip = CANVOS_FIXTURE.mainTip;
    await commit(
      releaseFiles({
        ...tip,
        certsStyle: 'certs-dir',
        k8sVersionsFrom: 'v4.10.0-rc.10',
        proKeySecret: true,
      }),
      'Main: 4.11 development',
    );

    await exec('git', ['clone', '-q', '--bare', work, bareDir], { env: gitEnv(clock) });
    const tags: CanvosRepo['tags'] = {};
    for (const [name, t] of Object.entries(CANVOS_FIXTURE.tags)) {
      const commitId = await git('rev-parse', `${name}^{commit}`);
      tags[name] = { commit: commitId, peVersion: t.peVersion, earthlyVersion: t.earthlyVersion };
    }
    const branches: Record<string, string> = {};
    for (const b of ['main', ...CANVOS_FIXTURE.releaseBranches])
      branches[b] = await git('rev-parse', b);
    return { bareDir, tags, branches };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface LargeRepoOptions {
  commits?: number;
  tags?: number;
  branches?: number;
  bareDir?: string;
}

export interface LargeRepo {
  bareDir: string;
  tags: string[];
  /** Newest plain `vX.Y.Z` tag; its commit holds valid CanvOS files. */
  newestRelease: string;
  durationMs: number;
}

/**
 * A CanvOS-scale repo written in one `git fast-import` stream, for ls-remote / clone benchmarks.
 * Shaped on spectrocloud/CanvOS (about 3,400 commits, 158 tags, 216 branches, a 5 MiB pack; at a
 * tag about 180 files, 5.5 MB of mostly shell and YAML plus a 620 KiB PNG, so one tag's tree
 * is a fair share of the whole history): thousands of small commits, a tree of ~190 files with
 * 5 MB of text that compresses like scripts and an incompressible image, touched at each tag.
 */
export async function makeLargeRepo(dir: string, opts: LargeRepoOptions = {}): Promise<LargeRepo> {
  const started = Date.now();
  const commits = opts.commits ?? 3_000;
  const tagCount = opts.tags ?? 160;
  const branchCount = opts.branches ?? 220;
  const bareDir = opts.bareDir ?? join(dir, 'CanvOS-large.git');
  rmSync(bareDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await exec('git', ['-c', 'init.defaultBranch=main', 'init', '-q', '--bare', bareDir], {
    env: gitEnv(EPOCH),
  });

  // Tags spread evenly over history; mostly vX.Y.Z, every fifth a pre-release, two non-semver.
  const tagAt = new Map<number, string>();
  const tagNames: string[] = [];
  for (let j = 0; j < tagCount; j++) {
    const at = Math.min(commits, Math.floor(((j + 1) * commits) / tagCount));
    const minor = Math.floor(j / 20);
    const patch = j % 20;
    let name = j % 5 === 3 ? `v4.${minor}.${patch}-rc.1` : `v4.${minor}.${patch}`;
    if (j === 40) name = `v4.${minor}.a`;
    if (j === 7) name = 'archive/old-build-system';
    tagAt.set(at, name);
    tagNames.push(name);
  }
  const newestRelease = [...tagNames].reverse().find((n) => /^v\d+\.\d+\.\d+$/.test(n)) ?? '';

  const chunks: Buffer[] = [];
  const put = (s: string | Buffer): void => {
    chunks.push(typeof s === 'string' ? Buffer.from(s) : s);
  };
  const data = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    put(`data ${b.length}\n`);
    put(b);
    put('\n');
  };
  const who = `${AUTHOR.name} <${AUTHOR.email}>`;
  const payload = payloadFiles();
  const payloadPaths = Object.keys(payload);
  for (let i = 1; i <= commits; i++) {
    const ts = EPOCH + i * 600;
    const tagName = tagAt.get(i);
    put(
      `commit refs/heads/main\nmark :${i}\nauthor ${who} ${ts} +0000\ncommitter ${who} ${ts} +0000\n`,
    );
    data(tagName ? `Release ${tagName}` : `Change ${i}`);
    const files: Record<string, string | Buffer> = i === 1 ? { ...payload } : {};
    for (let k = 0; k < 3; k++)
      files[`pkg/area${(i + k) % 10}/file${(i * 7 + k) % 8}.txt`] = `change ${i}.${k}\n`;
    if (tagName) {
      // A release touches one of the large files a little, as CanvOS's releases do.
      const path = payloadPaths[tagNames.indexOf(tagName) % payloadPaths.length];
      if (!path.endsWith('.png')) files[path] = `${payload[path].toString()}# ${tagName}\n`;
    }
    if (i === 1 || tagName) {
      const pe = tagName && /^v\d/.test(tagName) ? tagName : 'v4.0.0';
      Object.assign(
        files,
        releaseFiles({
          peVersion: pe,
          earthlyVersion: 'v0.8.15',
          certsStyle: 'certs-dir',
          k8sVersionsFrom: 'v4.9.38',
        }),
      );
    }
    for (const [path, text] of Object.entries(files)) {
      put(`M 100644 inline ${path}\n`);
      data(text);
    }
    put('\n');
    if (tagName) {
      // Alternate annotated and lightweight, as CanvOS has both.
      if (tagNames.indexOf(tagName) % 2 === 0) {
        put(`tag ${tagName}\nfrom :${i}\ntagger ${who} ${ts + 60} +0000\n`);
        data(`CanvOS ${tagName}`);
      } else {
        put(`reset refs/tags/${tagName}\nfrom :${i}\n\n`);
      }
    }
  }
  // `main` is one of the branches.
  for (let b = 0; b < branchCount - 1; b++) {
    const at = 1 + Math.floor((b * (commits - 1)) / Math.max(1, branchCount - 2));
    const name = b % 10 === 0 ? `release-4.${b / 10}` : `feature/change-${b}`;
    put(`reset refs/heads/${name}\nfrom :${at}\n\n`);
  }
  put('done\n');

  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', '--done'], {
      cwd: bareDir,
      env: { ...gitEnv(EPOCH), GIT_DIR: bareDir },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import: ${stderr}`)),
    );
    child.stdin.end(Buffer.concat(chunks));
  });
  return { bareDir, tags: tagNames, newestRelease, durationMs: Date.now() - started };
}

/**
 * ~100 files of pseudo-random shell-like text (5 MB, compressing about 5× as CanvOS's scripts
 * do) and one incompressible 620 KiB image, the same on every run (a fixed seed).
 */
function payloadFiles(): Record<string, string | Buffer> {
  let seed = 0x9e3779b9;
  const random = (): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = Array.from({ length: 512 }, (_, n) => `w${n.toString(36)}${'xyz'.slice(n % 3)}`);
  const text = (bytes: number): string => {
    const lines: string[] = [];
    for (let size = 0; size < bytes;) {
      const line = Array.from({ length: 3 + Math.floor(random() * 9) }, () => {
        return words[Math.floor(random() * words.length)];
      }).join(' ');
      lines.push(line);
      size += line.length + 1;
    }
    return `${lines.join('\n')}\n`;
  };
  const files: Record<string, string | Buffer> = {};
  const dirs = ['overlay/files', 'scripts', 'cis-harden', 'cloudconfigs', 'rhel-stig', 'test'];
  for (let n = 0; n < 100; n++) {
    files[`${dirs[n % dirs.length]}/part-${n}.sh`] = text(n % 50 === 0 ? 400_000 : 40_000);
  }
  files['images/edge_components.png'] = Buffer.from(
    Array.from({ length: 620 * 1024 }, () => Math.floor(random() * 256)),
  );
  return files;
}
