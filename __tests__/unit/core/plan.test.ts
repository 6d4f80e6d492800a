import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ActionError, InputError } from '../../../src/errors.js';
import {
  buildFilesPlan,
  checkoutFiles,
  commandLineArgs,
  renderArgFile,
  signingConfig,
} from '../../../src/core/build-files.js';
import { readBuildLineVersions } from '../../../src/core/canvos-source.js';
import { parseBuildArgs } from '../../../src/core/inputs/build.js';
import type { Inputs, KeyValue } from '../../../src/core/inputs/types.js';
import { DEFAULT_EARTHBUILD_VERSION } from '../../../src/core/earthly-plan.js';
import type { CanvosCheckout } from '../../../src/core/plan.js';
import {
  CERT_1,
  CERT_2,
  COMMIT,
  K8S_V4_10,
  PUBLIC_KEY,
  checkoutV4_10,
  checkoutV4_4_12,
  fixture,
  inputs,
  makePlan,
} from '../support.js';

/** The build files for `versions`, and the build args kept off disk. */
function buildFiles(i: Inputs, checkout: CanvosCheckout, versions: string[]) {
  return {
    files: checkoutFiles(buildFilesPlan(i, checkout.files), versions),
    commandLineArgs: commandLineArgs(i),
  };
}

function thrown<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}

function file(build: ReturnType<typeof buildFiles>, path: string): string {
  const found = build.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} among ${build.files.map((f) => f.path).join(', ')}`);
  return found.content;
}

// --- .arg readers ---------------------------------------------------------------------------

/**
 * Reads a .arg the way Earthly does: a TypeScript rendering of joho/godotenv v1.5.1's parser
 * (the version Earthly v0.8.15 and EarthBuild v0.8.18 link), quirks included: a quote preceded
 * by a backslash does not close a quoted value; unquoted and double-quoted values expand `$VAR`
 * (from keys earlier in the file; unknown names become empty); single-quoted values are literal.
 */
function godotenvRead(text: string): Record<string, string> {
  const src = text.replaceAll('\r\n', '\n');
  const out: Record<string, string> = {};
  const isSpace = (c: string) => ['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0'].includes(c);
  const expand = (value: string) =>
    value.replace(
      /(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g,
      (match, backslash?: string, _dollar?: string, _paren?: string, name?: string) => {
        if (backslash === '\\') return match.slice(1);
        if (name) return out[name] ?? '';
        return match;
      },
    );
  let pos = 0;
  for (;;) {
    // statement start: skip white space and comment lines
    while (pos < src.length && /\s/.test(src[pos])) pos++;
    if (pos >= src.length) break;
    if (src[pos] === '#') {
      const eol = src.indexOf('\n', pos);
      if (eol < 0) break;
      pos = eol;
      continue;
    }
    if (src.startsWith('export', pos) && isSpace(src[pos + 6] ?? '')) {
      pos += 6;
      while (isSpace(src[pos] ?? '')) pos++;
    }
    // key
    const keyStart = pos;
    while (pos < src.length && src[pos] !== '=' && src[pos] !== ':') {
      if (!isSpace(src[pos]) && !/[\p{L}\p{N}_.]/u.test(src[pos])) {
        throw new Error(`unexpected character ${JSON.stringify(src[pos])} in variable name`);
      }
      pos++;
    }
    if (pos >= src.length) throw new Error('no = after a key');
    const key = src.slice(keyStart, pos).trimEnd();
    pos++;
    while (isSpace(src[pos] ?? '')) pos++;
    // value
    const quote = src[pos];
    if (quote === "'" || quote === '"') {
      let end = pos + 1;
      while (end < src.length && (src[end] !== quote || src[end - 1] === '\\')) end++;
      if (end >= src.length) throw new Error(`unterminated quoted value for ${key}`);
      let value = src.slice(pos, end);
      while (value.endsWith(quote)) value = value.slice(0, -1);
      while (value.startsWith(quote)) value = value.slice(1);
      if (quote === '"') {
        value = value.replace(/\\./g, (m) => (m === '\\n' ? '\n' : m === '\\r' ? '\r' : m));
        value = expand(value.replace(/\\([^$])/g, '$1'));
      }
      out[key] = value;
      pos = end + 1;
    } else {
      let eol = pos;
      while (eol < src.length && src[eol] !== '\n' && src[eol] !== '\r') eol++;
      let line = src.slice(pos, eol);
      for (let i = line.length - 1; i > 0; i--) {
        if (line[i] === '#' && isSpace(line[i - 1])) {
          line = line.slice(0, i);
          break;
        }
      }
      let start = 0;
      let stop = line.length;
      while (start < stop && isSpace(line[start])) start++;
      while (stop > start && isSpace(line[stop - 1])) stop--;
      out[key] = expand(line.slice(start, stop));
      pos = eol;
    }
  }
  return out;
}

const workDir = mkdtempSync(join(tmpdir(), 'plan-test-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Reads a .arg the way CanvOS's earthly.sh does: real bash, `set -a; source .arg`. */
function bashRead(text: string, keys: string[]): Record<string, string> {
  const dir = mkdtempSync(join(workDir, 'bash-'));
  writeFileSync(join(dir, '.arg'), text);
  // Prints each asked-for variable that is set, NUL-terminated (values may hold anything else).
  const script =
    'set -a; source ./.arg; for k in "$@"; do if [ -n "${!k+x}" ]; then printf \'%s=%s\\0\' "$k" "${!k}"; fi; done';
  const output = execFileSync('bash', ['--noprofile', '--norc', '-c', script, 'bash', ...keys], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, MARKER: 'from-the-environment' },
    encoding: 'utf8',
  });
  const env: Record<string, string> = {};
  for (const entry of output.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

// --- makePlan -------------------------------------------------------------------------------

describe('makePlan', () => {
  it('names the image from the Earthfile PE_VERSION, not the tag', () => {
    const plan = makePlan(inputs(), checkoutV4_10());
    expect(plan.images.map((image) => image.ref)).toEqual([
      'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo',
    ]);
    expect(plan.peVersion).toBe('v4.9.21');
  });

  it('gives every image field', () => {
    const plan = makePlan(inputs({ arch: 'arm64', osVersion: '24.04' }), checkoutV4_10());
    expect(plan.images).toEqual([
      {
        ref: 'ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21-demo',
        registry: 'ghcr.io',
        repository: 'acme/ubuntu',
        tag: 'k3s-1.32.3-v4.9.21-demo',
        k8sDistribution: 'k3s',
        k8sVersion: '1.32.3',
        os: 'ubuntu',
        osVersion: '24.04',
        arch: 'arm64',
        canvosVersion: 'v4.10.0',
        peVersion: 'v4.9.21',
      },
    ]);
  });

  it('gives the whole plan', () => {
    const plan = makePlan(
      inputs({ k8sDistribution: 'nodeadm', k8sVersion: { kind: 'all' } }),
      checkoutV4_10(),
    );
    const mirror = 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15';
    const configPath = '/tmp/canvos-action-test/earthly-config.yml';
    const args = ['--config', configPath, '--ci', '--push', '--allow-privileged'];
    expect(plan).toMatchObject({
      canvosVersion: 'v4.10.0',
      canvosCommit: COMMIT,
      canvosPath: '/tmp/canvos',
      peVersion: 'v4.9.21',
      earthly: {
        version: 'v0.8.15',
        distribution: 'earthly',
        buildkitImage: mirror,
        install: { version: 'v0.8.15', distribution: 'earthly', arch: 'amd64' },
        configPath,
        args: [...args, '--buildkit-image', mirror, '+build-provider-images'],
        secretEnv: [],
      },
      availableK8sVersions: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      newestK8sPatches: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      k8sVersions: ['1.29.0', '1.30.0', '1.31.0', '1.32.0'],
      registry: { host: 'ghcr.io', credentials: undefined },
      push: true,
      skipExisting: false,
      diskCheck: 'warn',
      dryRun: false,
    });
    expect(plan.images.map((image) => image.tag)).toEqual([
      'nodeadm-1.29.0-v4.9.21-demo',
      'nodeadm-1.30.0-v4.9.21-demo',
      'nodeadm-1.31.0-v4.9.21-demo',
      'nodeadm-1.32.0-v4.9.21-demo',
    ]);
  });

  it('splits a registry with a port and a path', () => {
    const [image] = makePlan(
      inputs({ imageRegistry: 'localhost:5000/team/edge' }),
      checkoutV4_10(),
    ).images;
    expect([image.ref, image.registry, image.repository]).toEqual([
      'localhost:5000/team/edge/ubuntu:k3s-1.32.3-v4.9.21-demo',
      'localhost:5000',
      'team/edge/ubuntu',
    ]);
    const [bare] = makePlan(
      inputs({ imageRegistry: 'registry.example.com' }),
      checkoutV4_10(),
    ).images;
    expect([bare.ref, bare.registry, bare.repository]).toEqual([
      'registry.example.com/ubuntu:k3s-1.32.3-v4.9.21-demo',
      'registry.example.com',
      'ubuntu',
    ]);
  });

  it('IMAGE_REPO overrides the OS name', () => {
    const plan = makePlan(inputs({ imageRepo: 'edge/provider-amd64' }), checkoutV4_10());
    expect(plan.images[0].ref).toBe('ghcr.io/acme/edge/provider-amd64:k3s-1.32.3-v4.9.21-demo');
    expect(plan.images[0].repository).toBe('acme/edge/provider-amd64');
  });

  it('without a custom tag the tag ends in PE_VERSION', () => {
    const plan = makePlan(inputs({ customTag: '' }), checkoutV4_10());
    expect(plan.images[0].ref).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21');
  });

  it('PE_VERSION in build-args wins over the Earthfile', () => {
    const plan = makePlan(inputs({ buildArgs: [['PE_VERSION', 'v4.9.38']] }), checkoutV4_10());
    expect(plan.peVersion).toBe('v4.9.38');
    expect(plan.images[0].ref).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.38-demo');
    expect(plan.images[0].peVersion).toBe('v4.9.38');
  });

  it('a PE_VERSION that breaks the tag is an InputError on build-args', () => {
    const error = thrown(InputError, () =>
      makePlan(inputs({ buildArgs: [['PE_VERSION', 'v4.9.38+build']] }), checkoutV4_10()),
    );
    expect(error.message).toBe(
      'build-args: PE_VERSION "v4.9.38+build" makes an invalid Docker tag "k3s-1.32.3-v4.9.38+build-demo"',
    );
  });

  it('several versions give one image each, ascending', () => {
    const plan = makePlan(
      inputs({
        k8sDistribution: 'kubeadm',
        k8sVersion: { kind: 'list', items: ['1.35', '1.33.4', '1.34'] },
      }),
      checkoutV4_10(),
    );
    expect(plan.k8sVersions).toEqual(['1.33.4', '1.34.9', '1.35.6']);
    expect(plan.images.map((image) => image.ref)).toEqual([
      'ghcr.io/acme/ubuntu:kubeadm-1.33.4-v4.9.21-demo',
      'ghcr.io/acme/ubuntu:kubeadm-1.34.9-v4.9.21-demo',
      'ghcr.io/acme/ubuntu:kubeadm-1.35.6-v4.9.21-demo',
    ]);
  });

  it('a tag of exactly 128 characters is fine; 129 is an InputError on custom-tag', () => {
    const customTag = 'x'.repeat(100);
    const ok = makePlan(
      inputs({
        k8sDistribution: 'kubeadm-fips',
        k8sVersion: { kind: 'list', items: ['1.35.6'] },
        customTag,
      }),
      checkoutV4_10(),
    );
    expect(ok.images[0].tag.length).toBe(128);
    const error = thrown(InputError, () =>
      makePlan(
        inputs({
          k8sDistribution: 'kubeadm-fips',
          k8sVersion: { kind: 'list', items: ['1.32.13'] },
          customTag,
        }),
        checkoutV4_10(),
      ),
    );
    expect(error.message).toBe(
      'custom-tag: makes the image tag 129 characters long; Docker allows 128',
    );
  });

  it('an Earthfile without PE_VERSION and no build arg is an ActionError', () => {
    const error = thrown(ActionError, () =>
      makePlan(inputs(), checkoutV4_10({ earthfile: 'VERSION 0.6\n' })),
    );
    expect(error.message).toBe(
      'The Earthfile at CanvOS v4.10.0 has no ARG PE_VERSION default; set PE_VERSION in build-args',
    );
    expect(
      makePlan(
        inputs({ buildArgs: [['PE_VERSION', 'v4.9.1']] }),
        checkoutV4_10({ earthfile: 'VERSION 0.6\n' }),
      ).peVersion,
    ).toBe('v4.9.1');
  });

  it('a missing or broken k8s_version.json is an ActionError', () => {
    expect(
      thrown(ActionError, () => makePlan(inputs(), checkoutV4_10({ k8sVersionJson: undefined })))
        .message,
    ).toBe('CanvOS v4.10.0 has no k8s_version.json');
    expect(
      thrown(ActionError, () => makePlan(inputs(), checkoutV4_10({ k8sVersionJson: '[1]' })))
        .message,
    ).toBe('k8s_version.json at CanvOS v4.10.0 is not valid: k8s_version.json is not an object');
  });

  it('a distribution the tag does not list is an InputError', () => {
    const error = thrown(InputError, () =>
      makePlan(
        inputs({ k8sDistribution: 'canonical', k8sVersion: { kind: 'latest' } }),
        checkoutV4_4_12(),
      ),
    );
    expect(error.input).toBe('k8s-distribution');
  });

  describe('Earthly', () => {
    it('auto pins the version earthly.sh pins, with the mirrored BuildKit', () => {
      expect(makePlan(inputs(), checkoutV4_10()).earthly).toMatchObject({
        version: 'v0.8.15',
        distribution: 'earthly',
        buildkitImage:
          'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
      });
      const v4_4_12 = inputs({ k8sVersion: { kind: 'list', items: ['1.30.4'] } });
      expect(makePlan(v4_4_12, checkoutV4_4_12()).earthly).toMatchObject({
        version: 'v0.8.5',
        distribution: 'earthly',
        buildkitImage: 'gcr.io/spectro-images-public/earthly/buildkitd:v0.8.5',
      });
    });

    it('the pinned version given explicitly still gets the mirror', () => {
      expect(
        makePlan(inputs({}, { version: 'v0.8.15' }), checkoutV4_10()).earthly.buildkitImage,
      ).toBe('us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15');
    });

    it('another explicit version gets no mirror (CanvOS mirrors only its pin)', () => {
      expect(makePlan(inputs({}, { version: 'v0.8.16' }), checkoutV4_10()).earthly).toMatchObject({
        version: 'v0.8.16',
        distribution: 'earthly',
        buildkitImage: undefined,
      });
    });

    it('earthbuild auto is DEFAULT_EARTHBUILD_VERSION, without the upstream mirror', () => {
      expect(DEFAULT_EARTHBUILD_VERSION).toBe('v0.8.18');
      expect(
        makePlan(inputs({}, { distribution: 'earthbuild' }), checkoutV4_10()).earthly,
      ).toMatchObject({
        version: 'v0.8.18',
        distribution: 'earthbuild',
        buildkitImage: undefined,
      });
      expect(
        makePlan(inputs({}, { distribution: 'earthbuild', version: 'v0.8.15' }), checkoutV4_10())
          .earthly.buildkitImage,
      ).toBeUndefined();
    });

    it('a buildkit-image input wins over the mirror', () => {
      expect(
        makePlan(inputs({}, { buildkitImage: 'ghcr.io/acme/buildkitd:v0.8.15' }), checkoutV4_10())
          .earthly.buildkitImage,
      ).toBe('ghcr.io/acme/buildkitd:v0.8.15');
    });

    it('a buildkit-host means no BuildKit image at all', () => {
      const plan = makePlan(
        inputs(
          {},
          { buildkitHost: 'tcp://buildkit:8372', buildkitImage: 'ghcr.io/acme/buildkitd:v0.8.15' },
        ),
        checkoutV4_10(),
      );
      expect(plan.earthly).toMatchObject({
        version: 'v0.8.15',
        distribution: 'earthly',
        buildkitImage: undefined,
      });
    });

    // util/containerutil/shell_shared.go IsLocal: 127.0.0.1, ::1, localhost and container
    // addresses are a BuildKit Earthly starts and manages itself.
    it.each([
      'tcp://127.0.0.1:8372',
      'tcp://localhost:8372',
      'docker-container://earthly-buildkitd',
    ])('a local buildkit-host (%s) keeps the BuildKit image and the disk check', (buildkitHost) => {
      const plan = makePlan(inputs({}, { buildkitHost }), checkoutV4_10());
      expect(plan.earthly).toMatchObject({ buildkitHost, remoteBuildkit: false });
      expect(plan.earthly.buildkitImage).toMatch(/buildkitd:v0\.8\.15$/);
      expect(plan.diskCheck).toBe('warn');
    });

    it('a remote buildkit-host turns the disk check off', () => {
      const plan = makePlan(inputs({}, { buildkitHost: 'tcp://buildkit:8372' }), checkoutV4_10());
      expect(plan.earthly.remoteBuildkit).toBe(true);
      expect(plan.diskCheck).toBe('off');
    });

    it('auto without an earthly.sh pin is an InputError on earthly-version', () => {
      const error = thrown(InputError, () =>
        makePlan(inputs(), checkoutV4_10({ earthlySh: undefined })),
      );
      expect(error.message).toBe(
        'earthly-version: auto found no EARTHLY_VERSION in earthly.sh at CanvOS v4.10.0: set a version',
      );
      expect(
        makePlan(inputs({}, { version: 'v0.8.16' }), checkoutV4_10({ earthlySh: undefined }))
          .earthly,
      ).toMatchObject({
        version: 'v0.8.16',
        distribution: 'earthly',
        buildkitImage: undefined,
      });
    });
  });
});

// --- buildFiles -----------------------------------------------------------------------------

describe('buildFiles', () => {
  it('one version: K8S_VERSION in .arg and no k8s_version.json', () => {
    const build = buildFiles(inputs(), checkoutV4_10(), ['1.32.3']);
    expect(build.files.map((f) => f.path)).toEqual(['.arg']);
    expect(file(build, '.arg')).toBe(
      [
        '# Written by the CanvOS provider images action: inputs first, then build-args.',
        'CUSTOM_TAG=demo',
        'IMAGE_REGISTRY=ghcr.io/acme',
        'OS_DISTRIBUTION=ubuntu',
        'IMAGE_REPO=ubuntu',
        'OS_VERSION=22.04',
        'K8S_DISTRIBUTION=k3s',
        'ARCH=amd64',
        'UPDATE_KERNEL=false',
        'TWO_NODE=false',
        'K8S_VERSION=1.32.3',
        '',
      ].join('\n'),
    );
    expect(build.commandLineArgs).toEqual([]);
  });

  it('several versions: no K8S_VERSION, and a k8s_version.json with exactly those for the distribution', () => {
    const versions = ['1.33.4', '1.34.9', '1.35.6'];
    const build = buildFiles(inputs({ k8sDistribution: 'kubeadm' }), checkoutV4_10(), versions);
    expect(build.files.map((f) => f.path)).toEqual(['.arg', 'k8s_version.json']);
    const arg = godotenvRead(file(build, '.arg'));
    expect(Object.keys(arg)).not.toContain('K8S_VERSION');
    expect(arg.K8S_DISTRIBUTION).toBe('kubeadm');
    const original = JSON.parse(K8S_V4_10) as Record<string, string[]>;
    const trimmed = JSON.parse(file(build, 'k8s_version.json')) as Record<string, string[]>;
    expect(trimmed).toEqual({ ...original, kubeadm: versions });
    expect(Object.keys(trimmed)).toEqual(Object.keys(original));
  });

  it('writes every input into .arg, then build-args (which override)', () => {
    const build = buildFiles(
      inputs({
        imageRegistry: 'registry.example.com:5000/edge',
        imageRepo: 'provider',
        customTag: '',
        osDistribution: 'opensuse-leap',
        osVersion: '15.6',
        k8sDistribution: 'rke2',
        arch: 'arm64',
        twoNode: true,
        updateKernel: true,
        buildArgs: [
          ['FIPS_ENABLED', 'false'],
          ['PE_VERSION', 'v4.9.38'],
        ],
      }),
      checkoutV4_10(),
      ['1.32.3'],
    );
    const text = file(build, '.arg');
    expect(godotenvRead(text)).toEqual({
      CUSTOM_TAG: '',
      IMAGE_REGISTRY: 'registry.example.com:5000/edge',
      OS_DISTRIBUTION: 'opensuse-leap',
      IMAGE_REPO: 'provider',
      OS_VERSION: '15.6',
      K8S_DISTRIBUTION: 'rke2',
      ARCH: 'arm64',
      UPDATE_KERNEL: 'true',
      TWO_NODE: 'true',
      K8S_VERSION: '1.32.3',
      FIPS_ENABLED: 'false',
      PE_VERSION: 'v4.9.38',
    });
    expect(text.indexOf('K8S_VERSION=')).toBeLessThan(text.indexOf('FIPS_ENABLED='));
  });

  it('proxies go into .arg, but one with credentials only onto the command line', () => {
    const build = buildFiles(
      inputs({
        httpProxy: 'http://proxy.example.com:3128',
        httpsProxy: 'http://user:p%40ss@proxy.example.com:3128',
        noProxy: 'localhost,127.0.0.1,.svc.cluster.local',
      }),
      checkoutV4_10(),
      ['1.32.3'],
    );
    const text = file(build, '.arg');
    const arg = godotenvRead(text);
    expect(arg.HTTP_PROXY).toBe('http://proxy.example.com:3128');
    expect(arg.NO_PROXY).toBe('localhost,127.0.0.1,.svc.cluster.local');
    expect(Object.keys(arg)).not.toContain('HTTPS_PROXY');
    expect(text).not.toContain('p%40ss');
    expect(text).not.toContain('user:');
    expect(build.commandLineArgs).toEqual([
      ['HTTPS_PROXY', 'http://user:p%40ss@proxy.example.com:3128'],
    ]);
  });

  it('a proxy with a user name only is a credential too', () => {
    const build = buildFiles(
      inputs({ httpProxy: 'http://ghp_token@proxy.example.com:3128' }),
      checkoutV4_10(),
      ['1.32.3'],
    );
    expect(file(build, '.arg')).not.toContain('ghp_token');
    expect(build.commandLineArgs).toEqual([
      ['HTTP_PROXY', 'http://ghp_token@proxy.example.com:3128'],
    ]);
  });

  it('certificates go into certs/ on current tags', () => {
    const build = buildFiles(inputs({ proxyCaCerts: [CERT_1, CERT_2] }), checkoutV4_10(), [
      '1.32.3',
    ]);
    expect(build.files.map((f) => f.path)).toEqual([
      '.arg',
      'certs/proxy-ca-1.crt',
      'certs/proxy-ca-2.crt',
    ]);
    expect(file(build, 'certs/proxy-ca-1.crt')).toBe(`${CERT_1}\n`);
    expect(file(build, 'certs/proxy-ca-2.crt')).toBe(`${CERT_2}\n`);
    expect(Object.keys(godotenvRead(file(build, '.arg')))).not.toContain('PROXY_CERT_PATH');
  });

  it('certificates go into sc.crt with PROXY_CERT_PATH on the old layout (v4.4.12)', () => {
    const build = buildFiles(inputs({ proxyCaCerts: [CERT_1, CERT_2] }), checkoutV4_4_12(), [
      '1.30.4',
    ]);
    expect(build.files.map((f) => f.path)).toEqual(['.arg', 'sc.crt']);
    expect(file(build, 'sc.crt')).toBe(`${CERT_1}\n${CERT_2}\n`);
    expect(godotenvRead(file(build, '.arg')).PROXY_CERT_PATH).toBe('sc.crt');
  });

  it('no certificates, no certificate files', () => {
    const build = buildFiles(inputs(), checkoutV4_4_12(), ['1.30.4']);
    expect(build.files.map((f) => f.path)).toEqual(['.arg']);
    expect(file(build, '.arg')).not.toContain('PROXY_CERT_PATH');
  });

  function decodeSigningConfig(yamlText: string): string {
    const config = parseYaml(yamlText) as {
      content: { signing: { publicKey: { base64EncodedValue: string } } };
    };
    expect(Object.keys(config)).toEqual(['content']);
    return Buffer.from(config.content.signing.publicKey.base64EncodedValue, 'base64').toString(
      'utf8',
    );
  }

  it('a signing key goes into the file the Earthfile names, base64 of the PEM', () => {
    const build = buildFiles(inputs({ signingPublicKey: PUBLIC_KEY }), checkoutV4_10(), ['1.32.3']);
    expect(build.files.map((f) => f.path)).toEqual(['.arg', '.edge-custom-config.yaml']);
    expect(decodeSigningConfig(file(build, '.edge-custom-config.yaml'))).toBe(`${PUBLIC_KEY}\n`);
    expect(godotenvRead(file(build, '.arg')).EDGE_CUSTOM_CONFIG).toBe('.edge-custom-config.yaml');
  });

  it('an Earthfile with another default names another file', () => {
    const earthfile = `${fixture('Earthfile.v4.10.0.head.txt')}`.replace(
      'ARG EDGE_CUSTOM_CONFIG=.edge-custom-config.yaml',
      'ARG EDGE_CUSTOM_CONFIG=signing/edge.yaml',
    );
    const build = buildFiles(
      inputs({ signingPublicKey: PUBLIC_KEY }),
      checkoutV4_10({ earthfile }),
      ['1.32.3'],
    );
    expect(build.files.map((f) => f.path)).toEqual(['.arg', 'signing/edge.yaml']);
    expect(godotenvRead(file(build, '.arg')).EDGE_CUSTOM_CONFIG).toBe('signing/edge.yaml');
  });

  it('EDGE_CUSTOM_CONFIG in build-args names the file, once in .arg', () => {
    const build = buildFiles(
      inputs({
        signingPublicKey: PUBLIC_KEY,
        buildArgs: [['EDGE_CUSTOM_CONFIG', 'config/edge.yaml']],
      }),
      checkoutV4_10(),
      ['1.32.3'],
    );
    expect(build.files.map((f) => f.path)).toEqual(['.arg', 'config/edge.yaml']);
    expect(decodeSigningConfig(file(build, 'config/edge.yaml'))).toBe(`${PUBLIC_KEY}\n`);
    const lines = file(build, '.arg')
      .split('\n')
      .filter((line) => line.startsWith('EDGE_CUSTOM_CONFIG='));
    expect(lines).toEqual(['EDGE_CUSTOM_CONFIG=config/edge.yaml']);
  });

  it.each(['../x.yaml', 'config/../../x.yaml', '/etc/edge.yaml', '..'])(
    'EDGE_CUSTOM_CONFIG %j outside the checkout is rejected',
    (name) => {
      const error = thrown(InputError, () =>
        buildFiles(
          inputs({ signingPublicKey: PUBLIC_KEY, buildArgs: [['EDGE_CUSTOM_CONFIG', name]] }),
          checkoutV4_10(),
          ['1.32.3'],
        ),
      );
      expect(error.message).toBe(
        'build-args: EDGE_CUSTOM_CONFIG must be a relative path inside the CanvOS checkout',
      );
    },
  );

  it('the .arg it writes reads the same in godotenv and in bash', () => {
    const build = buildFiles(
      inputs({
        httpProxy: 'http://proxy.example.com:3128',
        noProxy: 'localhost,10.0.0.0/8',
        buildArgs: [
          ['BASE_IMAGE', 'registry.example.com/rhel:9'],
          ['EXTRA', 'a value with spaces and $(id)'],
        ],
      }),
      checkoutV4_10(),
      ['1.32.3', '1.33.10'],
    );
    const text = file(build, '.arg');
    const viaGodotenv = godotenvRead(text);
    expect(bashRead(text, Object.keys(viaGodotenv))).toEqual(viaGodotenv);
    expect(viaGodotenv.EXTRA).toBe('a value with spaces and $(id)');
  });
});

describe('signingConfig', () => {
  it('is the YAML CanvOS reads', () => {
    const yamlText = signingConfig(PUBLIC_KEY);
    expect(parseYaml(yamlText)).toEqual({
      content: {
        signing: {
          publicKey: { base64EncodedValue: Buffer.from(`${PUBLIC_KEY}\n`).toString('base64') },
        },
      },
    });
    expect(yamlText.split('\n')[0]).toBe('content:');
  });
});

// --- renderArgFile --------------------------------------------------------------------------

describe('renderArgFile', () => {
  it('leaves plain values bare and single-quotes the rest', () => {
    expect(
      renderArgFile([
        ['PLAIN', 'ghcr.io/acme:5000/x_y-z.1@sha256,a=b+c%d'],
        ['EMPTY', ''],
        ['CMD', '$(id)'],
        ['TICKS', '`id`'],
        ['SPACES', 'two words'],
        ['VAR', '$HOME'],
        ['HASH', 'a#b'],
      ]),
    ).toBe(
      [
        '# Written by the CanvOS provider images action: inputs first, then build-args.',
        'PLAIN=ghcr.io/acme:5000/x_y-z.1@sha256,a=b+c%d',
        'EMPTY=',
        "CMD='$(id)'",
        "TICKS='`id`'",
        "SPACES='two words'",
        "VAR='$HOME'",
        "HASH='a#b'",
        '',
      ].join('\n'),
    );
  });

  it("refuses a ' or a line break", () => {
    expect(() => renderArgFile([['A', "it's"]])).toThrow('unsafe .arg value for A');
    expect(() => renderArgFile([['B', 'a\nC=d']])).toThrow('unsafe .arg value for B');
    expect(() => renderArgFile([['C', 'a\rb']])).toThrow('unsafe .arg value for C');
  });

  const marker = join(workDir, 'pwned');
  const tricky: KeyValue[] = [
    ['PLAIN', 'v4.9.38'],
    ['EMPTY', ''],
    ['SUBSHELL', `$(touch ${marker}-1)`],
    ['BACKTICKS', `\`touch ${marker}-2\``],
    ['CHAIN', `x; touch ${marker}-3`],
    ['PIPE', `x | touch ${marker}-4`],
    ['AND', `x && touch ${marker}-5`],
    ['REDIRECT', `x > ${marker}-6`],
    ['VAR', '$MARKER and ${MARKER}'],
    ['ESCAPED_VAR', '\\$MARKER'],
    ['HASH', 'a #not a comment'],
    ['LEADING_HASH', '#x'],
    ['DOUBLE_QUOTES', '"quoted"'],
    ['BACKSLASH', 'C:\\dir\\file'],
    ['GLOB', '* ? [a-z]'],
    ['TILDE', '~/x'],
    ['BANG', '!!'],
    ['BRACES', '{a,b}'],
    ['TAB', 'a\tb'],
    ['UNICODE', 'ünïcödé ✓'],
    ['SPACED', '  padded  '],
    ['PROXY', 'http://user:p%40ss@proxy.example.com:3128'],
    ['EQUALS', '=x=y='],
    ['DASHES', 'demo---'],
  ];

  it('every value reads back verbatim through godotenv (Earthly)', () => {
    expect(godotenvRead(renderArgFile(tricky))).toEqual(Object.fromEntries(tricky));
  });

  it('every value reads back verbatim through bash (earthly.sh), and no command runs', () => {
    const text = renderArgFile(tricky);
    expect(
      bashRead(
        text,
        tricky.map(([key]) => key),
      ),
    ).toEqual(Object.fromEntries(tricky));
    expect(readdirSync(workDir).filter((name) => name.startsWith('pwned'))).toEqual([]);
    for (let i = 1; i <= 6; i++) expect(existsSync(`${marker}-${i}`)).toBe(false);
  });

  it('the test readers do expand what is left unquoted (they can tell a bad .arg)', () => {
    const canary = join(workDir, 'canary');
    const unsafe = `A=$(touch ${canary})\nB=$MARKER\nC=$B-x\n`;
    expect(godotenvRead(unsafe)).toEqual({ A: `$(touch ${canary})`, B: '', C: '-x' });
    expect(godotenvRead('A=first\nB=${A}/second\n').B).toBe('first/second');
    expect(bashRead(unsafe, ['A', 'B', 'C'])).toEqual({
      A: '',
      B: 'from-the-environment',
      C: 'from-the-environment-x',
    });
    expect(existsSync(canary)).toBe(true);
    rmSync(canary);
  });

  // godotenv v1.5.1 (Earthly v0.8.15, EarthBuild v0.8.18) does not close a quoted value at a
  // quote that follows a backslash, so `X='C:\dir\'` would run on into the next line. No quoting
  // is safe in both godotenv and bash: the value is refused (parseBuildArgs refuses it as input).
  it('refuses a value ending in a backslash rather than let it swallow the next line', () => {
    const entries: KeyValue[] = [
      ['WINDOWS_DIR', 'C:\\dir\\'],
      ['NEXT', 'x'],
    ];
    expect(() => renderArgFile(entries)).toThrow('unsafe .arg value for WINDOWS_DIR');
    expect(() => parseBuildArgs('WINDOWS_DIR=C:\\dir\\')).toThrow(
      'build-args: WINDOWS_DIR: the value must not end with \\',
    );
  });
});

// spectrocloud/CanvOS Earthfile: `ARG UBUNTU_PRO_KEY` + `pro attach $UBUNTU_PRO_KEY` on every tag up
// to v4.9.x; from v4.10.0 `ARG UBUNTU_PRO_ATTACH=false` and, inside
// `IF [ "$UBUNTU_PRO_ATTACH" = "true" ]`, `RUN --secret UBUNTU_PRO_KEY`.
const PRO_AS_ARG = `VERSION 0.6\nARG PE_VERSION=v4.9.38\nARG UBUNTU_PRO_KEY\nARG HTTP_PROXY\n\nbuild-provider-images:\n    IF [ ! -z "$UBUNTU_PRO_KEY" ]\n        RUN pro attach $UBUNTU_PRO_KEY\n    END\n`;
const PRO_AS_SECRET = `VERSION 0.6\nARG PE_VERSION=v4.9.21\nARG UBUNTU_PRO_ATTACH=false\n\nbuild-provider-images:\n    IF [ "$UBUNTU_PRO_ATTACH" = "true" ]\n        RUN --secret UBUNTU_PRO_KEY \\\n            pro attach --attach-config /tmp/.pro-attach.yaml\n    END\n`;
const PRO_KEY = 'C0ffee-Pro-Key-1234';

describe('secrets and credentials reach Earthly through its environment only', () => {
  const planFor = (earthfile: string, extra: Partial<Inputs> = {}) =>
    makePlan(
      inputs({ secrets: [['UBUNTU_PRO_KEY', PRO_KEY]], ...extra }),
      checkoutV4_10({ earthfile }),
    );
  const argFile = (plan: ReturnType<typeof makePlan>) =>
    godotenvRead(
      checkoutFiles(plan.files, plan.k8sVersions).find((f) => f.path === '.arg')!.content,
    );

  it('UBUNTU_PRO_KEY read as an ARG (CanvOS up to v4.9.x) goes as --build-arg UBUNTU_PRO_KEY', () => {
    const plan = planFor(PRO_AS_ARG);
    const target = plan.earthly.args.indexOf('+build-provider-images');
    expect(plan.earthly.args.slice(target - 2)).toEqual([
      '--build-arg',
      'UBUNTU_PRO_KEY',
      '+build-provider-images',
    ]);
    expect(plan.earthly.args).not.toContain('--secret');
    expect(plan.earthly.secretEnv).toEqual([['UBUNTU_PRO_KEY', PRO_KEY]]);
    expect(JSON.stringify(plan.earthly.args)).not.toContain(PRO_KEY);
    expect(argFile(plan)).not.toHaveProperty('UBUNTU_PRO_ATTACH');
  });

  it('UBUNTU_PRO_KEY read as a secret (CanvOS v4.10.0 on) goes as --secret, with UBUNTU_PRO_ATTACH=true', () => {
    const plan = planFor(PRO_AS_SECRET);
    const at = plan.earthly.args.indexOf('--secret');
    expect(plan.earthly.args.slice(at, at + 2)).toEqual(['--secret', 'UBUNTU_PRO_KEY']);
    expect(plan.earthly.args).not.toContain('--build-arg');
    expect(plan.earthly.secretEnv).toEqual([['UBUNTU_PRO_KEY', PRO_KEY]]);
    expect(argFile(plan)).toMatchObject({ UBUNTU_PRO_ATTACH: 'true' });
  });

  it('a build-args UBUNTU_PRO_ATTACH still wins (it comes last)', () => {
    const plan = planFor(PRO_AS_SECRET, { buildArgs: [['UBUNTU_PRO_ATTACH', 'false']] });
    expect(argFile(plan).UBUNTU_PRO_ATTACH).toBe('false');
  });

  it('a proxy URL with credentials is no argv word: --build-arg NAME, the value in the environment', () => {
    const proxy = 'http://user:p%40ss@proxy.example.com:3128';
    const plan = makePlan(inputs({ httpsProxy: proxy }), checkoutV4_10());
    const target = plan.earthly.args.indexOf('+build-provider-images');
    expect(target).toBe(plan.earthly.args.length - 1);
    expect(plan.earthly.args.slice(target - 2, target)).toEqual(['--build-arg', 'HTTPS_PROXY']);
    expect(plan.earthly.args.join(' ')).not.toMatch(/p%40ss|user:/);
    expect(plan.earthly.secretEnv).toEqual([
      ['HTTPS_PROXY', proxy],
      ['https_proxy', proxy],
    ]);
  });

  // CanvOS's earthly.sh starts its BuildKit with the proxy variables and the certs/ CAs; Earthly's
  // buildkit_additional_args (config/config.go) are `docker run` flags for its own BuildKit.
  it('a local BuildKit starts with the proxy variables and the CA certificates', () => {
    const plan = makePlan(
      inputs({ httpProxy: 'http://proxy:3128', proxyCaCerts: [CERT_1] }),
      checkoutV4_10(),
    );
    expect(parseYaml(plan.earthly.config).global.buildkit_additional_args).toEqual([
      '--ulimit',
      'nofile=1048576:1048576',
      '-e',
      'HTTP_PROXY',
      '-e',
      'http_proxy',
      '-v',
      '/tmp/canvos/certs:/etc/canvos-proxy-ca:ro',
      '-e',
      'SSL_CERT_DIR=/etc/ssl/certs:/etc/canvos-proxy-ca',
    ]);
    expect(plan.earthly.secretEnv).toEqual([
      ['HTTP_PROXY', 'http://proxy:3128'],
      ['http_proxy', 'http://proxy:3128'],
    ]);
  });

  it('a remote BuildKit is left as it is', () => {
    const plan = makePlan(
      inputs(
        { httpProxy: 'http://proxy:3128', proxyCaCerts: [CERT_1] },
        { buildkitHost: 'tcp://bk:8372' },
      ),
      checkoutV4_10(),
    );
    expect(parseYaml(plan.earthly.config).global.buildkit_additional_args).toEqual([
      '--ulimit',
      'nofile=1048576:1048576',
    ]);
    expect(plan.earthly.secretEnv).toEqual([]);
  });
});

describe('earthly-config against the chosen Earthly', () => {
  // earthly/earthly config/config.go: disable_log_sharing and org exist up to v0.8.15 only;
  // darwin_proxy_image and tlsca_key from v0.8 on (not in v0.7.4).
  it.each([
    ['v0.8.16', 'disable_log_sharing'],
    ['v0.8.18', 'org'],
    ['v0.7.4', 'tlsca_key'],
  ])('Earthly %s refuses %s, listing the keys it knows', (version, key) => {
    const distribution = version === 'v0.8.18' ? 'earthbuild' : 'earthly';
    const error = thrown(InputError, () =>
      makePlan(inputs({}, { version, distribution, config: [[key, 'x']] }), checkoutV4_10()),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^earthly-config: ${key} is not a global setting Earthly ${version} knows .*it knows: buildkit_additional_args`,
      ),
    );
    expect(error.message).not.toMatch(new RegExp(`knows: .*\\b${key}\\b`));
  });

  it('writes the keys it accepts', () => {
    const plan = makePlan(
      inputs({}, { version: 'v0.8.16', config: [['tlsca', '/etc/ca.pem']] }),
      checkoutV4_10(),
    );
    expect(parseYaml(plan.earthly.config).global).toMatchObject({ tlsca: '/etc/ca.pem' });
  });
});

// spectrocloud/CanvOS v4.4.2-v4.4.8 have no k8s_version.json: `build-provider-images` lists the
// versions as `BUILD +$TARGET --K8S_VERSION=x` lines per distribution (Earthfile at v4.4.2).
describe('tags before k8s_version.json', () => {
  const oldTag = (): CanvosCheckout => ({
    ...checkoutV4_4_12(),
    tag: 'v4.4.2',
    files: {
      earthfile: `${fixture('Earthfile.v4.4.12.head.txt')}\n${fixture('Earthfile.v4.4.2.build-provider-images.txt')}`,
      earthlySh: fixture('earthly.sh.v4.4.12.excerpt.txt'),
    },
  });

  it('reads the versions from the Earthfile’s BUILD lines', () => {
    const lists = readBuildLineVersions(oldTag().files.earthfile);
    expect(Object.keys(lists).sort()).toEqual(['k3s', 'kubeadm', 'rke2']);
    expect(lists.k3s.slice(-3)).toEqual(['1.28.2', '1.28.7', '1.29.2']);
  });

  it('plans one exact version, or a minor’s newest patch, through K8S_VERSION', () => {
    const plan = makePlan(inputs({ k8sVersion: { kind: 'list', items: ['1.28'] } }), oldTag());
    expect(plan.k8sVersions).toEqual(['1.28.7']);
    const arg = godotenvRead(checkoutFiles(plan.files, plan.k8sVersions)[0].content);
    expect(arg.K8S_VERSION).toBe('1.28.7');
  });

  it('several versions at once is one clear error: one version per job', () => {
    const error = thrown(InputError, () =>
      makePlan(inputs({ k8sVersion: { kind: 'all' } }), oldTag()),
    );
    expect(error.message).toBe(
      'k8s-version: CanvOS v4.4.2 lists its versions in the Earthfile, not k8s_version.json: build one version per job (a matrix)',
    );
  });
});
